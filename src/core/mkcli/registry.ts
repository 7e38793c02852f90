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
// registries use `alias=path`. Nothing here throws: every bad line becomes a problem.
export function parseRegistry(text: string, file: string, home = os.homedir()): Registry {
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
    const [alias, rawDir, version] = fields;
    const badAlias = aliasError(alias);
    if (badAlias) {
      problem(badAlias);
      return;
    }
    const dir = expandHome(rawDir, home);
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

/** The fields of a non-comment line, or undefined when it has neither shape. */
function splitFields(trimmed: string): [string, string, string?] | undefined {
  const eq = trimmed.indexOf('=');
  const firstSpace = trimmed.search(/\s/);
  if (eq > 0 && (firstSpace === -1 || eq < firstSpace)) {
    const alias = trimmed.slice(0, eq).trim();
    const dir = trimmed.slice(eq + 1).trim();
    if (alias === '' || dir === '' || /\s/.test(dir)) return undefined;
    return [alias, dir];
  }
  const fields = trimmed.split(/\s+/);
  if (fields.length < 2 || fields.length > 3) return undefined;
  return [fields[0], fields[1], fields[2]];
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
