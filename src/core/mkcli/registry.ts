import { statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Problem } from '../problem';
import { FileReadError, readBounded, READ_LIMITS } from '../util/readBounded';
import { aliasError } from './names';

/** One project of the mkcli registry. */
export interface RegistryEntry {
  alias: string;
  /** Absolute path of the Makefile folder. */
  dir: string;
  /** The mkcli version that registered it, when the line says. */
  version?: string;
  /** The registry file and 1-based line the entry comes from. */
  file: string;
  line: number;
}

export interface Registry {
  entries: RegistryEntry[];
  problems: Problem[];
}

export interface RegistryLocation {
  /** The `vmOrchestrator.mkcli.registryPath` setting; empty when unset. */
  setting?: string;
  env: NodeJS.ProcessEnv;
  home: string;
}

// Where the user's registry is: the setting, then $MKCLI_REGISTRY, then mkcli's default.
export function userRegistryPath(location: RegistryLocation): string {
  const chosen = location.setting || location.env.MKCLI_REGISTRY;
  if (chosen) return expandHome(chosen, location.home);
  return path.join(location.home, '.config', 'mkcli', 'registry');
}

export function expandHome(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return path.join(home, p.slice(2));
  return p;
}

// Parses one registry file. mkcli writes `alias path [version]`; older and hand-written
// registries use `alias=path`. Nothing here throws: every bad line becomes a problem. A path
// with spaces makes `alias path [version]` ambiguous (`web /x/my proj`): the reading that names
// an existing folder wins (`isFolder`); two that do are a problem, never a guess.
export function parseRegistry(text: string, file: string, home = os.homedir(), isFolder: (dir: string) => boolean = folderExists): Registry {
  const entries: RegistryEntry[] = [];
  const problems: Problem[] = [];
  const seen = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const fields = splitFields(trimmed);
    const problem = (message: string, severity: Problem['severity'] = 'error'): void => {
      problems.push({ severity, message, file, line, column: raw.length - raw.trimStart().length + 1 });
    };
    if (fields === undefined) {
      problem(`Expected "alias path [version]" or "alias=path", got ${JSON.stringify(trimmed)}`);
      return;
    }
    const { alias, readings } = fields;
    const badAlias = aliasError(alias);
    if (badAlias) {
      problem(badAlias);
      return;
    }
    const chosen = chooseReading(readings, home, isFolder);
    if ('unknown' in chosen) {
      const [whole, split] = chosen.unknown;
      problem(`Expected "alias path [version]" or "alias=path", got ${JSON.stringify(trimmed)}; no folder ${JSON.stringify(whole.dir)} or ${JSON.stringify(split.dir)} exists`);
      return;
    }
    if ('ambiguous' in chosen) {
      const [a, b] = chosen.ambiguous;
      problem(
        `"${alias}": both ${JSON.stringify(a.dir)} and ${JSON.stringify(b.dir)} (version ${JSON.stringify(b.version)}) are folders, so the line can be read either way; ` +
          'rename one of them or re-register the project',
      );
      return;
    }
    const { rawDir, dir, version } = chosen;
    if (!path.isAbsolute(dir)) {
      problem(`Expected an absolute path for "${alias}", got ${JSON.stringify(rawDir)}`);
      return;
    }
    const earlier = seen.get(alias);
    if (earlier !== undefined) {
      problem(`Alias "${alias}" is also registered on line ${earlier}; this line wins`, 'warning');
      const at = entries.findIndex((e) => e.alias === alias);
      entries.splice(at, 1);
    }
    seen.set(alias, line);
    entries.push({ alias, dir: path.normalize(dir), ...(version ? { version } : {}), file, line });
  });
  return { entries, problems };
}

/** One way to read the rest of a line: the path as written, and the version after it. */
interface Reading {
  rawDir: string;
  version?: string;
}

// The alias and the readings of a non-comment line: `alias=path` has one; `alias rest` has the
// whole rest as the path, and, when the rest has whitespace, its last word as the version.
function splitFields(trimmed: string): { alias: string; readings: Reading[] } | undefined {
  const eq = trimmed.indexOf('=');
  const firstSpace = trimmed.search(/\s/);
  if (eq > 0 && (firstSpace === -1 || eq < firstSpace)) {
    const alias = trimmed.slice(0, eq).trim();
    const dir = trimmed.slice(eq + 1).trim();
    if (alias === '' || dir === '' || /\s/.test(dir)) return undefined;
    return { alias, readings: [{ rawDir: dir }] };
  }
  if (firstSpace === -1) return undefined;
  const alias = trimmed.slice(0, firstSpace);
  const rest = trimmed.slice(firstSpace).trim();
  const lastSpace = rest.search(/\s\S+$/);
  if (lastSpace < 0) return { alias, readings: [{ rawDir: rest }] };
  return { alias, readings: [{ rawDir: rest }, { rawDir: rest.slice(0, lastSpace).trimEnd(), version: rest.slice(lastSpace).trim() }] };
}

type Expanded = Reading & { dir: string };

// The reading whose folder exists. When none does, `path word` reads the word as a version only
// if it looks like one (`0.4.2`, `v1.2-rc1`), so that a missing folder is reported by its whole
// name; a longer line is malformed, as it was before paths with spaces were read.
function chooseReading(readings: Reading[], home: string, isFolder: (dir: string) => boolean): Expanded | { ambiguous: [Expanded, Expanded] } | { unknown: [Expanded, Expanded] } {
  const expanded = readings.map((r) => ({ ...r, dir: expandHome(r.rawDir, home) }));
  if (expanded.length === 1) return expanded[0];
  const existing = expanded.filter((r) => path.isAbsolute(r.dir) && isFolder(r.dir));
  if (existing.length === 2) return { ambiguous: [existing[0], existing[1]] };
  if (existing.length === 1) return existing[0];
  const [whole, split] = expanded;
  if (/\s/.test(split.rawDir)) return { unknown: [whole, split] };
  return VERSION.test(split.version ?? '') ? split : whole;
}

/** What an mkcli version looks like. */
const VERSION = /^v?\d+(\.\d+)*([-+][0-9A-Za-z.-]+)?$/;

function folderExists(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

// Reads the team registry (if any) and then the user's, the user's entries overriding the
// team's as mkcli does. A missing user registry is simply empty; anything else unreadable (a FIFO, a
// device, a folder, a file over 1 MiB) is a problem, and is never waited on.
export async function readRegistries(userFile: string, teamFile: string | undefined, home = os.homedir()): Promise<Registry> {
  const merged = new Map<string, RegistryEntry>();
  const problems: Problem[] = [];
  for (const [file, required] of [[teamFile, true], [userFile, false]] as const) {
    if (!file) continue;
    let text: string;
    try {
      text = await readBounded(file, READ_LIMITS.registry);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && !required) continue;
      const why = error instanceof FileReadError ? error.sentence : `${(error as Error).message}.`;
      problems.push({
        severity: code === 'ENOENT' ? 'warning' : 'error',
        message: code === 'ENOENT' ? 'Registry file does not exist' : `Cannot read the registry. ${why}`,
        file,
      });
      continue;
    }
    const parsed = parseRegistry(text, file, home);
    problems.push(...parsed.problems);
    for (const entry of parsed.entries) merged.set(entry.alias, entry);
  }
  return { entries: [...merged.values()], problems };
}
