import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Problem } from '../problem';
import { formatBytes } from '../util/formatBytes';
import { FileReadError, readBounded, READ_LIMITS, refuseBinary } from '../util/readBounded';
import { expandGlob, hasMagic } from '../vmconfig/glob';
import { MATCH_CRITERIA, MATCH_CRITERIA_WITHOUT_ARG, SSH_KEYWORDS } from './keywords';
import { matchPatternList } from './patterns';
import { sshConfigPackage, type SshConfigDirective as Directive } from './sshConfigPackage';
import type { SshConfig, SshConfigFile, SshConfigLine, SshHostBlock, SshMatchCriterion } from './types';

/** ssh refuses deeper Include nesting (READCONF_MAX_DEPTH). */
export const MAX_INCLUDE_DEPTH = 16;

/** Config files larger than this are reported, not parsed. */
export const MAX_SSH_CONFIG_BYTES = READ_LIMITS.sshConfig;

// What one load reads in all, a file counted each time it is included: Includes that name the
// same files again and again multiply (3 per level over 15 levels is 14 million files, which ssh
// reads one by one), so past this the load stops at the Include that went over.
export const SSH_CONFIG_BUDGET = { files: 1000, bytes: 8 * MAX_SSH_CONFIG_BYTES } as const;

export interface LoadedSshConfig {
  config: SshConfig;
  problems: Problem[];
}


// Reads an SSH config the way ssh does: Include expanded in place (globs; `~` is opts.home;
// relative paths are under ~/.ssh, as for the user's config), with a depth limit and cycle
// check, and within SSH_CONFIG_BUDGET. A file included several times is read from disk once and
// its problems are reported once. Lines are tokenised by the ssh-config package. Never throws: a
// missing starting file is an empty config (ssh ignores a missing ~/.ssh/config), anything
// unreadable or malformed is a problem.
export async function loadSshConfig(configFile: string, opts: { home: string }): Promise<LoadedSshConfig> {
  const home = path.resolve(opts.home);
  const file = path.resolve(configFile === '~' || configFile.startsWith('~/') ? resolveIncludePath(configFile, home) : configFile);
  const problems: Problem[] = [];
  const reported = new Set<string>();
  const files: string[] = [];
  const hosts: SshHostBlock[] = [];
  const ignoreUnknown: string[] = [];
  const config: SshConfig = { file, home, root: { file, lines: [] }, files, hosts };
  /** Each file's text by its real path: read once however often it is included. */
  const texts = new Map<string, Promise<ReadResult>>();
  const spent = { files: 0, bytes: 0 };
  /** Set when the budget ran out: every file being read stops there. */
  let stopped = false;

  const real = await realPath(file);
  const read = await readOnce(file, real);
  if ('error' in read) {
    if (read.code !== 'ENOENT') problems.push({ severity: 'error', message: read.error, file });
    return { config, problems };
  }
  spend(read);
  config.root = await parseFile(file, read.text, [real]);
  return { config, problems };

  function readOnce(file: string, real: string): Promise<ReadResult> {
    let text = texts.get(real);
    if (!text) texts.set(real, (text = readConfigText(file)));
    return text;
  }

  /** Counts a file read; what is over the budget, if it now is. */
  function spend(read: { text: string }): string | undefined {
    spent.files += 1;
    spent.bytes += Buffer.byteLength(read.text);
    if (spent.files > SSH_CONFIG_BUDGET.files) return `${SSH_CONFIG_BUDGET.files} files`;
    if (spent.bytes > SSH_CONFIG_BUDGET.bytes) return formatBytes(SSH_CONFIG_BUDGET.bytes);
    return undefined;
  }

  async function parseFile(file: string, text: string, chain: string[]): Promise<SshConfigFile> {
    if (!files.includes(file)) files.push(file);
    const result: SshConfigFile = { file, lines: [] };
    let block: SshHostBlock | undefined;
    const lines = text.split(/\r\n|\n|\r/);
    for (let i = 0; i < lines.length && !stopped; i++) {
      const line = i + 1;
      const problem = (severity: Problem['severity'], message: string) => {
        const key = `${file}\0${line}\0${message}`;
        if (reported.has(key)) return;
        reported.add(key);
        problems.push({ severity, message, file, line });
      };
      const parsed = parseLine(lines[i]);
      if (parsed === undefined) continue;
      if ('error' in parsed) {
        problem('error', parsed.error);
        continue;
      }
      const { keyword, name, args } = parsed;
      if (!SSH_KEYWORDS.has(keyword)) {
        if (!ignoreUnknown.some((list) => matchPatternList(keyword, list, true))) {
          problem('warning', `Unknown option "${name}": ssh stops with "Bad configuration option" unless IgnoreUnknown lists it.`);
        }
        continue;
      }
      switch (keyword) {
        case 'host': {
          for (const pattern of args) {
            if (pattern.includes(',')) {
              problem('warning', `Host pattern "${pattern}" has a comma: ssh separates Host patterns with spaces, so it only matches the name "${pattern}".`);
            }
          }
          block = { patterns: args, file, line };
          hosts.push(block);
          result.lines.push({ kind: 'host', patterns: args, file, line });
          break;
        }
        case 'match': {
          block = undefined;
          const criteria = parseMatch(args, problem);
          if (criteria) result.lines.push({ kind: 'match', criteria, file, line });
          break;
        }
        case 'include':
          result.lines.push({ kind: 'include', patterns: args, files: await include(args, chain, problem), file, line });
          break;
        default:
          if (keyword === 'ignoreunknown') ignoreUnknown.push(args.join(','));
          if (keyword === 'port' && !isPort(args[0])) {
            problem('error', `Port "${args.join(' ')}" is not a number from 1 to 65535.`);
            continue;
          }
          if (keyword === 'hostname' && block && block.hostName === undefined) block.hostName = args[0];
          result.lines.push({ kind: 'option', keyword, args, file, line } satisfies SshConfigLine);
      }
    }
    return result;
  }

  async function include(patterns: string[], chain: string[], problem: (s: Problem['severity'], m: string) => void): Promise<SshConfigFile[]> {
    const included: SshConfigFile[] = [];
    for (const pattern of patterns) {
      if (stopped) break;
      const absolute = resolveIncludePath(pattern, home);
      const targets = await expandGlob(absolute);
      if (targets.length === 0 && !hasMagic(absolute)) {
        problem('warning', `Include "${pattern}": ${absolute} does not exist; ssh skips it.`);
      }
      for (const target of targets) {
        const real = await realPath(target);
        if (chain.includes(real)) {
          problem('error', `Include "${pattern}" reads ${target} again, which is already being read: an Include cycle (ssh stops with "Too many recursive configuration includes").`);
          continue;
        }
        if (chain.length > MAX_INCLUDE_DEPTH) {
          problem('error', `Include "${pattern}" is nested more than ${MAX_INCLUDE_DEPTH} deep; ssh stops with "Too many recursive configuration includes".`);
          continue;
        }
        const read = await readOnce(target, real);
        if ('error' in read) {
          if (read.code === 'EISDIR') {
            problem('warning', `Include "${pattern}" names the folder ${target}; ssh reads nothing from a folder (write "${path.join(pattern, '*')}").`);
          } else {
            problem('error', `Include "${pattern}": cannot read ${target}. ${read.error}`);
          }
          continue;
        }
        const over = spend(read);
        if (over !== undefined) {
          problem(
            'error',
            `Include "${pattern}" takes this SSH config over ${over} read in all (a file counts each time it is included), so the rest of it is not read here; ssh would read it all, however long that takes. Look for Includes that name the same files again and again.`,
          );
          stopped = true;
          break;
        }
        included.push(await parseFile(target, read.text, [...chain, real]));
      }
    }
    return included;
  }
}

/** Include's path rules for the user's config: `~/` is home, a relative path is under ~/.ssh. */
export function resolveIncludePath(pattern: string, home: string): string {
  if (pattern === '~') return home;
  if (pattern.startsWith('~/')) return path.join(home, pattern.slice(2));
  if (path.isAbsolute(pattern)) return pattern;
  return path.join(home, '.ssh', pattern);
}

type ParsedLine = { keyword: string; name: string; args: string[] } | { error: string };

/** One line tokenised by the ssh-config package; undefined for blank lines and comments. */
function parseLine(raw: string): ParsedLine | undefined {
  const head = /^\s*([^\s=]+)\s*=?\s*(.*)$/.exec(raw);
  if (!head || head[1].startsWith('#')) return undefined;
  const name = head[1];
  const rest = head[2].replace(/^#.*$/, '').trim();
  if (rest === '') return { error: `"${name}" has no value; ssh stops with "no argument after keyword".` };
  let directive: Directive | undefined;
  try {
    directive = sshConfigPackage.parse(raw).find((l) => l.type === sshConfigPackage.LineType.DIRECTIVE) as Directive | undefined;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/^Unexpected line break/.test(message)) return { error: `"${name}" has an unclosed quote; ssh stops with "invalid quotes".` };
    const criterion = /^Missing value for match criteria (\S+)/.exec(message)?.[1];
    if (criterion) return { error: `Match criterion "${criterion}" needs a value; ssh stops with "Missing Match criteria".` };
    return { error: `"${name}" cannot be read: ${message}.` };
  }
  if (!directive) return undefined;
  const value = directive.value;
  const args = typeof value === 'string' ? [value] : value.map((v) => v.val);
  return { keyword: directive.param.toLowerCase(), name: directive.param, args: args.filter((a) => a !== '') };
}

function parseMatch(args: string[], problem: (s: Problem['severity'], m: string) => void): SshMatchCriterion[] | undefined {
  const criteria: SshMatchCriterion[] = [];
  for (let i = 0; i < args.length; i++) {
    const negated = args[i].startsWith('!');
    const name = (negated ? args[i].slice(1) : args[i]).toLowerCase();
    if (!MATCH_CRITERIA.has(name)) {
      problem('warning', `Unknown Match criterion "${args[i]}"; ssh stops with "Unsupported Match attribute". The block is ignored here.`);
      return undefined;
    }
    if (MATCH_CRITERIA_WITHOUT_ARG.has(name)) {
      criteria.push({ name, negated });
      continue;
    }
    const arg = args[i + 1];
    if (arg === undefined) {
      problem('error', `Match criterion "${args[i]}" needs a value; ssh stops with "Missing Match criteria".`);
      return undefined;
    }
    criteria.push({ name, negated, arg });
    i++;
  }
  return criteria;
}

function isPort(value: string | undefined): boolean {
  return value !== undefined && /^\d{1,5}$/.test(value) && Number(value) >= 1 && Number(value) <= 65535;
}

type ReadResult = { text: string } | { error: string; code?: string };

// Read bounded: a FIFO, a device, a folder or a file over MAX_SSH_CONFIG_BYTES is refused at
// once (`Include /dev/zero` reads nothing), as is a file with NUL bytes.
async function readConfigText(file: string): Promise<ReadResult> {
  try {
    return { text: refuseBinary(file, await readBounded(file, MAX_SSH_CONFIG_BYTES), 'an SSH config') };
  } catch (err) {
    if (err instanceof FileReadError) return { error: err.sentence, code: err.code };
    return { error: `The file cannot be read: ${err instanceof Error ? err.message : String(err)}.` };
  }
}

async function realPath(file: string): Promise<string> {
  try {
    return await fs.realpath(file);
  } catch {
    return path.resolve(file);
  }
}
