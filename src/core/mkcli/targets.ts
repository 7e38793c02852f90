import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Problem } from '../problem';
import { findExecutable } from '../exec/findExecutable';
import { runCapture, type CaptureResult } from '../exec/runCapture';
import { FileReadError, readBounded, READ_LIMITS } from '../util/readBounded';
import { makeCommand } from './makeCommand';
import { parseMakeDatabase, parseMakeErrors } from './makeDatabase';
import { literalIncludes, MAKEFILE_NAMES, scanMakefile, type TargetSource } from './makefileScan';
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

export interface TargetListing {
  targets: Target[];
  /** Who answered: mkcli's `--list-targets`, or make's own database. */
  source: 'mkcli' | 'make';
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
}

// Lists a project's targets the way mkcli does: `<alias> --list-targets` when the alias is
// installed, else make's database (`make -C dir -pRrq :`), never a dry run of any goal.
export async function listTargets(entry: RegistryEntry, options: ListOptions): Promise<TargetListing> {
  const makefile = await findMakefile(entry.dir);
  if (!makefile) {
    return {
      targets: [],
      source: 'make',
      files: [],
      problems: [await missingMakefileProblem(entry)],
    };
  }
  const viaAlias = await listWithAlias(entry, options);
  const listing = viaAlias ?? (await listWithMake(entry, options));
  return { ...listing, makefile, files: [...new Set([makefile, ...listing.files])] };
}

async function listWithAlias(entry: RegistryEntry, options: ListOptions): Promise<Omit<TargetListing, 'makefile'> | undefined> {
  const executable = await findExecutable(entry.alias, options.env.PATH);
  if (!executable) return undefined;
  const result = await runCapture(executable, ['--list-targets'], {
    cwd: entry.dir,
    env: options.env,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
  });
  if (!succeeded(result)) return undefined;
  const names = [...new Set(result.stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !targetError(l)))];
  const sources = await scanSources(await makefilesFromSource(entry.dir));
  return {
    targets: names.map((name) => withSource(name, sources)),
    source: 'mkcli',
    files: [...sources.files],
    problems: sources.problems,
  };
}

async function listWithMake(entry: RegistryEntry, options: ListOptions): Promise<Omit<TargetListing, 'makefile'>> {
  const command = await makeCommand(entry.dir, ['-pRrq', ':'], options.env);
  const result = await runCapture(command.file, command.args, {
    cwd: entry.dir,
    env: { ...options.env, LC_ALL: 'C' },
    timeoutMs: options.timeoutMs,
    signal: options.signal,
  });
  const problems = failureProblems(result, entry, options.timeoutMs);
  const database = parseMakeDatabase(result.stdout, entry.dir);
  const sources = await scanSources(database.makefiles);
  return {
    targets: inSourceOrder(
      database.targets.filter((t) => !targetError(t)).map((name) => withSource(name, sources)),
      database.makefiles,
    ),
    source: 'make',
    files: [...sources.files],
    problems: [...problems, ...sources.problems],
  };
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
  const reported = parseMakeErrors(result.stderr, entry.dir);
  if (reported.length > 0 || result.stdout.includes('\n# Files\n')) return reported;
  const lastLine = result.stderr.trim().split('\n').pop();
  return problem(`make printed no database${lastLine ? `: ${lastLine}` : ''}`);
}

function succeeded(result: CaptureResult): boolean {
  return !result.spawnError && !result.timedOut && !result.canceled && result.exitCode === 0;
}

interface Sources {
  byName: Map<string, TargetSource>;
  files: Set<string>;
  /** Makefiles refused by the bounded reader (a FIFO, a device, over 4 MiB); a missing one is not a problem here. */
  problems: Problem[];
}

async function scanSources(makefiles: readonly string[]): Promise<Sources> {
  const byName = new Map<string, TargetSource>();
  const files = new Set<string>();
  const problems: Problem[] = [];
  for (const file of makefiles) {
    let text: string;
    try {
      text = await readBounded(file, READ_LIMITS.makefile);
    } catch (err) {
      if (err instanceof FileReadError && err.code !== 'ENOENT' && err.code !== 'ENOTDIR') {
        problems.push({ severity: 'warning', message: `Not read for the targets' places and descriptions. ${err.sentence}`, file });
      }
      continue;
    }
    files.add(file);
    for (const [name, source] of scanMakefile(text, file)) {
      if (!byName.has(name)) byName.set(name, source);
    }
  }
  return { byName, files, problems };
}

/** The main makefile and its literal includes, read from source when make was not asked. */
async function makefilesFromSource(dir: string): Promise<string[]> {
  const main = await findMakefile(dir);
  if (!main) return [];
  try {
    return [main, ...literalIncludes(await readBounded(main, READ_LIMITS.makefile), dir)];
  } catch {
    return [main];
  }
}

function withSource(name: string, sources: Sources): Target {
  const source = sources.byName.get(name);
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
  const folderExists = await stat(entry.dir).then((s) => s.isDirectory(), () => false);
  return {
    severity: 'warning',
    message: folderExists
      ? `"${entry.alias}": ${entry.dir} has no Makefile`
      : `"${entry.alias}": folder ${entry.dir} does not exist`,
    file: entry.file,
    line: entry.line,
  };
}
