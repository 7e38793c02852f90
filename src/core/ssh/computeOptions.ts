import os from 'node:os';
import { ACCUMULATING_KEYWORDS } from './keywords';
import { matchHostPatterns, matchPatternList } from './patterns';
import type { SshConfig, SshConfigFile, SshHostRef, SshMatchCriterion } from './types';

/** One obtained value of an option and the line it came from. */
export interface SshOptionValue {
  /** The arguments joined by one space. */
  value: string;
  file: string;
  line: number;
}

/** The options that apply to one destination, as ssh would obtain them. */
export interface ComputedSshOptions {
  /** Lower-case keyword → values; one value except for IdentityFile, SendEnv and the forwards. */
  options: Map<string, SshOptionValue[]>;
  /** Every Host block that applied, with the pattern that matched. */
  hosts: SshHostRef[];
}

// Evaluates the config for `host` the way readconf.c does: the first obtained value of an option
// wins; a Host line turns its block on when a pattern matches and no `!pattern` does; an Include
// inside an inactive block applies nothing, and the block's state is restored after it. Match
// blocks are evaluated for all, host, originalhost, user and localuser; a Match using exec,
// canonical, final, localnetwork, tagged or others is treated as not matching (exec is never run).
export function computeSshOptions(config: SshConfig, host: string, opts: { user?: string; localUser?: string } = {}): ComputedSshOptions {
  const options = new Map<string, SshOptionValue[]>();
  const hosts: SshHostRef[] = [];
  const localUser = opts.localUser ?? currentUser();
  const state = { active: true };

  if (opts.user !== undefined) options.set('user', [{ value: opts.user, file: '', line: 0 }]);

  const first = (keyword: string) => options.get(keyword)?.[0]?.value;
  const currentHostName = () => expandHostName(first('hostname'), host);

  const evaluateMatch = (criteria: SshMatchCriterion[]): boolean => {
    for (const c of criteria) {
      let result: boolean;
      switch (c.name) {
        case 'all':
          result = true;
          break;
        case 'host':
          result = matchPatternList(currentHostName(), c.arg ?? '', true);
          break;
        case 'originalhost':
          result = matchPatternList(host, c.arg ?? '', true);
          break;
        case 'user':
          result = matchPatternList(first('user') ?? localUser, c.arg ?? '');
          break;
        case 'localuser':
          result = matchPatternList(localUser, c.arg ?? '');
          break;
        default:
          return false;
      }
      if (result === c.negated) return false;
    }
    return true;
  };

  const readFile = (file: SshConfigFile, neverMatch: boolean): void => {
    for (const line of file.lines) {
      switch (line.kind) {
        case 'host': {
          const matched = neverMatch ? undefined : matchHostPatterns(host, line.patterns);
          state.active = matched !== undefined;
          if (matched !== undefined) hosts.push({ pattern: matched, file: line.file, line: line.line });
          break;
        }
        case 'match':
          state.active = !neverMatch && evaluateMatch(line.criteria);
          break;
        case 'include': {
          for (const included of line.files) {
            const wasActive = state.active;
            readFile(included, neverMatch || !wasActive);
            state.active = wasActive;
          }
          break;
        }
        case 'option': {
          if (!state.active) break;
          const value = { value: line.args.join(' '), file: line.file, line: line.line };
          const values = options.get(line.keyword);
          if (ACCUMULATING_KEYWORDS.has(line.keyword)) {
            if (values) values.push(value);
            else options.set(line.keyword, [value]);
          } else if (!values) {
            // ProxyJump and ProxyCommand exclude each other: whichever comes first wins.
            if (line.keyword === 'proxyjump' && options.has('proxycommand')) break;
            if (line.keyword === 'proxycommand' && options.has('proxyjump')) break;
            options.set(line.keyword, [value]);
          }
          break;
        }
      }
    }
  };

  readFile(config.root, false);
  return { options, hosts };
}

/** HostName with `%h` (the host given to ssh) and `%%` expanded; the host itself when unset. */
export function expandHostName(hostName: string | undefined, host: string): string {
  if (hostName === undefined) return host;
  return hostName.replace(/%([%h])/g, (_, token: string) => (token === 'h' ? host : '%'));
}

function currentUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? '';
  }
}
