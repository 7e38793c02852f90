import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Problem } from '../problem';
import { findExecutable } from '../exec/findExecutable';
import { CAPTURE_MAX_BYTES, runCapture, type CaptureResult } from '../exec/runCapture';
import { whyNotFolder } from '../util/folderProblem';
import { makeCommand } from './makeCommand';
import { makeDatabaseArgs, NO_RECIPE_SHELL, parseMakeDatabase, parseMakeErrors } from './makeDatabase';
import { readStaticTargets, type StaticListing, type StaticTarget } from './staticTargets';
import type { StaticReaderThread } from './staticThread';
import { targetError } from './names';
import type { RegistryEntry } from './registry';

/** A make target of a project. */
export interface Target {
  name: string;
  description?: string;
  /** Where the rule is written, when the makefile source shows it. */
  file?: string;
  line?: number;
}

/** Where a listing's targets come from: the makefile text, make's database, or the alias. */
export type TargetSource = 'static' | 'make' | 'mkcli';
export const TARGET_SOURCES: readonly TargetSource[] = ['static', 'make', 'mkcli'];

export interface TargetListing {
  targets: Target[];
  /** Who answered: the makefiles read as text, make's own database, or mkcli's `--list-targets`. */
  source: TargetSource;
  /** The makefile of the project, when there is one. */
  makefile?: string;
  /** Every makefile the listing depends on; a change to one invalidates it. */
  files: string[];
  problems: Problem[];
}

export interface ListOptions {
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Which source lists the project's targets; `static` (the default) starts no process. */
  source?: (entry: RegistryEntry) => TargetSource;
  /** Runs each process the listing starts; TargetCache bounds how many run at once with it. */
  processes?: <T>(run: () => Promise<T>) => Promise<T>;
  /** Where the makefiles are read as text, within `timeoutMs`; without it, on this thread, unbounded. */
  reader?: Pick<StaticReaderThread, 'read'>;
}

/** The names GNU make tries in a folder, in its own order. */
export const MAKEFILE_NAMES = ['GNUmakefile', 'makefile', 'Makefile'] as const;

// Lists a project's targets. By default by reading its makefiles as text: nothing is run. When
// the user chose make's database, `make -pRrq` (which evaluates the makefiles' `$(shell …)` but
// remakes no makefile and runs no recipe); when they chose mkcli, `<alias> --list-targets`,
// keeping only the names make's database shows as targets.
export async function listTargets(entry: RegistryEntry, options: ListOptions): Promise<TargetListing> {
  const makefile = await findMakefile(entry.dir);
  if (!makefile) {
    return { targets: [], source: 'static', files: [], problems: [await missingMakefileProblem(entry)] };
  }
  const read = options.reader ? await options.reader.read(entry.dir, makefile, { env: options.env }, options.timeoutMs, options.signal) : readStaticTargets(entry.dir, makefile, { env: options.env });
  const source = options.source?.(entry) ?? 'static';
  let listing: Omit<TargetListing, 'makefile'>;
  if (source === 'static') {
    listing = { targets: read.targets.map(({ name, file, line, description }) => ({ name, file, line, ...(description ? { description } : {}) })).filter((t) => !targetError(t.name)), source: 'static', files: read.files, problems: read.problems };
  } else {
    const database = await listWithMake(entry, options, read);
    listing = (source === 'mkcli' && (await listWithAlias(entry, options, database))) || database;
  }
  return { ...listing, makefile, files: [...new Set([makefile, ...listing.files])] };
}

// `<alias> --list-targets` runs mkcli's own listing; with a catch-all `%:` rule it also prints
// make's variables. Only the names make's database shows as targets are kept.
async function listWithAlias(entry: RegistryEntry, options: ListOptions, database: Omit<TargetListing, 'makefile'>): Promise<Omit<TargetListing, 'makefile'> | undefined> {
  const executable = await findExecutable(entry.alias, options.env.PATH);
  if (!executable) return undefined;
  const result = await capture(options, executable, ['--list-targets'], { cwd: entry.dir, env: options.env });
  if (!succeeded(result)) return undefined;
  const known = new Map(database.targets.map((t) => [t.name, t]));
  const names = [...new Set(result.stdout.split('\n').map((l) => l.trim()))].filter((name) => known.has(name));
  return { ...database, targets: names.map((name) => known.get(name) as Target), source: 'mkcli' };
}

async function listWithMake(entry: RegistryEntry, options: ListOptions, read: StaticListing): Promise<Omit<TargetListing, 'makefile'>> {
  const command = await makeCommand(entry.dir, makeDatabaseArgs(read.makefileNames), options.env);
  const result = await capture(options, command.file, command.args, { cwd: entry.dir, env: { ...options.env, LC_ALL: 'C' } });
  // make reports each recipe it was kept from running; those lines are not problems.
  const stderr = result.stderr.split('\n').filter((l) => !l.includes(NO_RECIPE_SHELL)).join('\n');
  const problems = failureProblems({ ...result, stderr }, entry, options.timeoutMs);
  // make reads what the static reader refused; its targets are listed, but not where they are.
  const unplaced = read.refused.map((p): Problem => ({ ...p, severity: 'warning', message: `${p.message}; its targets are listed without their places and descriptions` }));
  const database = result.truncated ? { targets: [], makefiles: [] } : parseMakeDatabase(result.stdout, entry.dir);
  const byName = new Map(read.targets.map((t) => [t.name, t]));
  const files = [...new Set([...read.files, ...database.makefiles])];
  // An include make could not read is no makefile to it; it still is no target for people.
  const isMakefile = (name: string): boolean => files.includes(path.resolve(entry.dir, name));
  return {
    targets: inSourceOrder(
      database.targets.filter((t) => !targetError(t) && !isMakefile(t)).map((name) => withSource(name, byName)),
      files,
    ),
    source: 'make',
    files,
    problems: [...problems, ...unplaced],
  };
}

function capture(options: ListOptions, file: string, args: readonly string[], where: { cwd: string; env: NodeJS.ProcessEnv }): Promise<CaptureResult> {
  const run = (): Promise<CaptureResult> => runCapture(file, args, { ...where, timeoutMs: options.timeoutMs, signal: options.signal });
  return options.processes ? options.processes(run) : run();
}

// `make -q :` exits 2 because `:` is not a target; only a missing program, a timeout, a crash,
// make's own fatal errors or a missing database count as failures of the listing.
function failureProblems(result: CaptureResult, entry: RegistryEntry, timeoutMs: number): Problem[] {
  const makefile = path.join(entry.dir, 'Makefile');
  const problem = (message: string, at: Pick<Problem, 'file' | 'line'> = { file: makefile }): Problem[] => [
    { severity: 'error', message, ...at },
  ];
  if (result.spawnError) return problem(`Cannot run make: ${result.spawnError.message}`, { file: entry.file, line: entry.line });
  if (result.canceled) return [];
  if (result.timedOut) return problem(`Listing the targets took longer than ${timeoutMs / 1000} s and was stopped`);
  if (result.signal) return problem(`make crashed reading the makefiles (${result.signal})`);
  // Read in part, the database would list the targets before the cut only, without a word.
  if (result.truncated) {
    return problem(`make printed a database of more than ${CAPTURE_MAX_BYTES / 2 ** 20} MiB, more than is read, so the targets are not listed; vmOrchestrator.mkcli.targetSource "static" lists them from the makefiles as text`);
  }
  const reported = parseMakeErrors(result.stderr, entry.dir);
  if (reported.length > 0 || result.stdout.includes('\n# Files\n')) return reported;
  const lastLine = result.stderr.trim().split('\n').pop();
  return problem(`make printed no database${lastLine ? `: ${lastLine}` : ''}`);
}

function succeeded(result: CaptureResult): boolean {
  return !result.spawnError && !result.timedOut && !result.canceled && result.exitCode === 0;
}

function withSource(name: string, byName: ReadonlyMap<string, StaticTarget>): Target {
  const source = byName.get(name);
  if (!source) return { name };
  return { name, file: source.file, line: source.line, ...(source.description ? { description: source.description } : {}) };
}

// make's database lists targets in hash order; people expect the order they wrote them in:
// by makefile as make read them, then by line, and targets of unknown place last by name.
function inSourceOrder(targets: Target[], makefiles: readonly string[]): Target[] {
  const rank = (t: Target): [number, number] =>
    t.file === undefined ? [Infinity, 0] : [makefiles.indexOf(t.file), t.line ?? 0];
  return [...targets].sort((a, b) => {
    const [fa, la] = rank(a);
    const [fb, lb] = rank(b);
    return fa - fb || la - lb || a.name.localeCompare(b.name);
  });
}

export async function findMakefile(dir: string): Promise<string | undefined> {
  for (const name of MAKEFILE_NAMES) {
    const file = path.join(dir, name);
    try {
      if ((await stat(file)).isFile()) return file;
    } catch {
      // Try the next name.
    }
  }
  return undefined;
}

async function missingMakefileProblem(entry: RegistryEntry): Promise<Problem> {
  const notFolder = await whyNotFolder(entry.dir);
  return {
    severity: 'warning',
    message: notFolder ? `"${entry.alias}": folder ${entry.dir} ${notFolder}` : `"${entry.alias}": ${entry.dir} has no Makefile`,
    file: entry.file,
    line: entry.line,
  };
}
