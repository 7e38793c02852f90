import os from 'node:os';
import path from 'node:path';
import type { PruneOptions } from '../core/store/jobStore';

/** What the hub was asked to do, with every default filled in. */
export interface HubArgs {
  /** A `postgres://` URL, or the PGlite folder. */
  database: string;
  dataDir: string;
  host: string;
  port: number;
  tokenFile: string;
  /** Exit after this long with no clients and no running jobs; undefined: never. */
  idleExitSeconds?: number;
  /** How long a job whose reporter went away may stay `running` before it is `interrupted`. */
  graceSeconds: number;
  /** Which finished jobs the hub deletes; a limit given as 0 is not set (keep). */
  retention: PruneOptions;
  help: boolean;
}

export const USAGE = `Usage: node dist/server.js [options]

The VM Orchestrator hub: stores jobs and fans their output out to watchers.

  --database <url|folder>    postgres:// URL, or a PGlite folder (default: <data-dir>/pglite)
  --data-dir <folder>        default: $XDG_DATA_HOME/vm-orchestrator/hub
  --host <address>           default: 127.0.0.1
  --port <n>                 default: 0 (any free port)
  --token-file <path>        lines "<viewer|operator> <token>" (default: <data-dir>/tokens;
                             created with mode 0600 and one token of each when missing)
  --idle-exit-seconds <n>    exit after n seconds with no clients and no running jobs
  --grace-seconds <n>        a job whose reporter left is interrupted after n s (default: 30)
  --retention-days <n>       delete finished jobs started more than n days ago (default: 0, keep)
  --retention-jobs <n>       delete finished jobs beyond the newest n (default: 0, keep)
                             Retention is applied at start and then hourly.
  --help                     print this and exit

Prints "listening http://<host>:<port>" as its first line on stdout.
`;

/** True for a `--database` that names a PostgreSQL server rather than a PGlite folder. */
export const isPostgresUrl = (database: string): boolean => /^postgres(ql)?:\/\//.test(database);

/** The default data folder of this user. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.join(os.homedir(), '.local', 'share');
  return path.join(base, 'vm-orchestrator', 'hub');
}

function nonNegative(flag: string, text: string, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > max) throw new Error(`Expected ${flag} to be a whole number from 0 to ${max}, got ${JSON.stringify(text)}`);
  return n;
}

const FLAGS = new Set(['--database', '--data-dir', '--host', '--port', '--token-file', '--idle-exit-seconds', '--grace-seconds', '--retention-days', '--retention-jobs']);

/** A retention limit: absent or 0 means keep. */
function limit(flag: string, text: string | undefined, max: number): number | undefined {
  const n = text === undefined ? 0 : nonNegative(flag, text, max);
  return n > 0 ? n : undefined;
}

// Parses the command line; throws with an exact message on an unknown flag or a bad value.
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): HubArgs {
  const given = new Map<string, string>();
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const [flag, inline] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    if (!FLAGS.has(flag)) throw new Error(`Unknown option ${JSON.stringify(arg)}; see --help`);
    const value = inline ?? argv[++i];
    if (value === undefined || value === '') throw new Error(`Expected a value after ${flag}`);
    given.set(flag, value);
  }
  const dataDir = path.resolve(given.get('--data-dir') ?? defaultDataDir(env));
  const database = given.get('--database') ?? path.join(dataDir, 'pglite');
  const idle = given.get('--idle-exit-seconds');
  const maxAgeDays = limit('--retention-days', given.get('--retention-days'), 36_500);
  const maxJobs = limit('--retention-jobs', given.get('--retention-jobs'), 100_000_000);
  return {
    database: isPostgresUrl(database) ? database : path.resolve(database),
    dataDir,
    host: given.get('--host') ?? '127.0.0.1',
    port: nonNegative('--port', given.get('--port') ?? '0', 65535),
    tokenFile: path.resolve(given.get('--token-file') ?? path.join(dataDir, 'tokens')),
    idleExitSeconds: idle === undefined ? undefined : nonNegative('--idle-exit-seconds', idle, 365 * 86400),
    graceSeconds: nonNegative('--grace-seconds', given.get('--grace-seconds') ?? '30', 86400),
    retention: { ...(maxAgeDays === undefined ? {} : { maxAgeDays }), ...(maxJobs === undefined ? {} : { maxJobs }) },
    help,
  };
}
