import os from 'node:os';
import path from 'node:path';
import { isPostgresUrl } from '../core/store/databaseUrl';
import type { PruneOptions } from '../core/store/jobStore';
import { HUB_MAX_MESSAGE_BYTES, REPORT_MAX_CHARS } from '../shared/hubProtocol';
import { LIMITS } from '../shared/schema';
import { DEFAULT_RATE_LIMITS, REPORT_EVENT_COST, type RateLimitOptions } from './rateLimits';
import type { WebhookOn } from './webhooks';

/** What the hub was asked to do, with every default filled in. */
export interface HubArgs {
  /** A `postgres://` URL, or the PGlite folder. */
  database: string;
  dataDir: string;
  host: string;
  port: number;
  /** A port to listen on when it is free, else `port` is used; what a window's launcher gives a hub it restarts. */
  preferPort?: number;
  tokenFile: string;
  /** Exit after this long with no clients and no running jobs; undefined: never. */
  idleExitSeconds?: number;
  /** How long a job whose reporter went away may stay `running` before it is `interrupted`. */
  graceSeconds: number;
  /** Which finished jobs the hub deletes; a limit given as 0 is not set (keep). */
  retention: PruneOptions;
  rateLimits: RateLimitOptions;
  /** Only create a PGlite database in this folder, then exit (what the hub runs apart; see database.ts). */
  createPglite?: string;
  /** Where ended jobs are posted, and which. */
  webhooks: { urls: string[]; on: WebhookOn };
  help: boolean;
}

const MIB = 1024 * 1024;

export const USAGE = `Usage: node dist/server.js [options]

The VM Orchestrator hub: stores jobs and fans their output out to watchers.

  --database <url|folder>    postgres:// URL, or a PGlite folder (default: <data-dir>/pglite)
  --data-dir <folder>        default: $XDG_DATA_HOME/vm-orchestrator/hub
  --host <address>           default: 127.0.0.1
  --port <n>                 default: 0 (any free port)
  --prefer-port <n>          listen on port n when it is free, else on any free port (for a hub
                             restarted where its clients still look for it); not with --port
  --token-file <path>        lines "<viewer|operator> <token>" (default: <data-dir>/tokens;
                             created with mode 0600 and one token of each when missing)
  --idle-exit-seconds <n>    exit after n seconds with no clients and no running jobs
  --grace-seconds <n>        a job whose reporter left is interrupted after n s (default: 30)
  --retention-days <n>       delete finished jobs started more than n days ago (default: 0, keep)
  --retention-jobs <n>       delete finished jobs beyond the newest n (default: 0, keep)
                             Retention is applied at start and then hourly.
  --rate-events <n>          events a second one connection may send (default: ${DEFAULT_RATE_LIMITS.socketEvents})
  --rate-mib <n>             MiB a second one connection may send (default: ${DEFAULT_RATE_LIMITS.socketBytes / MIB})
  --rate-http <n>            HTTP requests a second per token (default: ${DEFAULT_RATE_LIMITS.httpRequests})
                             0 turns a limit off. Each may be exceeded twice over in a burst;
                             all connections of one token together may send 8 times as much.
                             A report of job output counts ${REPORT_EVENT_COST} of an event.
  --webhook <url>            POST each ended job there as JSON (with a "text" line that Slack and
                             Mattermost show as is); repeatable; retried with backoff, never
                             slowing what is stored
  --webhook-on <failed|all>  which ended jobs are posted (default: failed, i.e. failed or
                             interrupted)
  --create-pglite <folder>   create a PGlite database in <folder> and exit; the hub runs this
                             in a child process for a new folder, so that it does not keep
                             the memory that creating one takes
  --help                     print this and exit

Prints "listening http://<host>:<port>" as its first line on stdout.

Limits, and what is refused how:
  - A Socket.io message over ${HUB_MAX_MESSAGE_BYTES / MIB} MiB closes that connection (a report holds at most ${REPORT_MAX_CHARS / 1024}K characters of output).
  - Every event is checked against one schema before anything is done with it: job ids are
    UUIDs, times lie in the years 1 to 9999, seq and exit codes fit PostgreSQL's integer,
    names (alias, VM, host, user) are at most ${LIMITS.name} characters, arguments ${LIMITS.arg / 1024} KiB.
    A value out of range is answered {ok:false, error} naming the field (or job:error when the
    event has no acknowledgement); nothing is stored and the connection goes on. NUL characters
    are removed from text, and times are kept to the millisecond.
  - An event over a rate limit is answered {ok:false, error, retryAfterMs} (the reporter waits and
    sends it again; nothing is lost); a connection that keeps on sending over its limit is
    disconnected. A connection runs at most 4 queries at once, with 16 more waiting.
  - An HTTP request over its token's rate is answered 429 with Retry-After; a bad parameter 400.
  - A row the database still refuses (SQLSTATE class 22, 23 or 54) is logged on stderr, as
    "The database refused …", and left out: chunks of output are stored one by one around it,
    the refused chunk as a line that says so. Everything else is stored. While the database is
    away, writes are kept and retried; reporters keep what the hub has not stored yet.
`;

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

const FLAGS = new Set([
  '--database',
  '--data-dir',
  '--host',
  '--port',
  '--prefer-port',
  '--token-file',
  '--idle-exit-seconds',
  '--grace-seconds',
  '--retention-days',
  '--retention-jobs',
  '--rate-events',
  '--rate-mib',
  '--rate-http',
  '--create-pglite',
  '--webhook',
  '--webhook-on',
]);

/** A web hook's URL: http or https, nothing else. */
function webhookUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`Expected --webhook to be an http:// or https:// URL, got ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`Expected --webhook to be an http:// or https:// URL, got ${JSON.stringify(text)}`);
  return url.href;
}

/** A rate flag, else its default. */
function rate(given: Map<string, string>, flag: string, fallback: number, unit = 1): number {
  const text = given.get(flag);
  return text === undefined ? fallback : nonNegative(flag, text, 1_000_000) * unit;
}

/** A retention limit: absent or 0 means keep. */
function limit(flag: string, text: string | undefined, max: number): number | undefined {
  const n = text === undefined ? 0 : nonNegative(flag, text, max);
  return n > 0 ? n : undefined;
}

// Parses the command line; throws with an exact message on an unknown flag or a bad value.
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): HubArgs {
  const given = new Map<string, string>();
  const webhooks: string[] = [];
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
    if (flag === '--webhook') webhooks.push(webhookUrl(value));
    else given.set(flag, value);
  }
  const dataDir = path.resolve(given.get('--data-dir') ?? defaultDataDir(env));
  const database = given.get('--database') ?? path.join(dataDir, 'pglite');
  const idle = given.get('--idle-exit-seconds');
  const maxAgeDays = limit('--retention-days', given.get('--retention-days'), 36_500);
  const maxJobs = limit('--retention-jobs', given.get('--retention-jobs'), 100_000_000);
  const createPglite = given.get('--create-pglite');
  const webhookOn = given.get('--webhook-on') ?? 'failed';
  const port = nonNegative('--port', given.get('--port') ?? '0', 65535);
  const preferPort = given.get('--prefer-port');
  if (preferPort !== undefined && port !== 0) throw new Error('Give --port or --prefer-port, not both');
  if (webhookOn !== 'failed' && webhookOn !== 'all') throw new Error(`Expected --webhook-on to be failed or all, got ${JSON.stringify(webhookOn)}`);
  return {
    database: isPostgresUrl(database) ? database : path.resolve(database),
    dataDir,
    host: given.get('--host') ?? '127.0.0.1',
    port,
    ...(preferPort === undefined ? {} : { preferPort: nonNegative('--prefer-port', preferPort, 65535) }),
    tokenFile: path.resolve(given.get('--token-file') ?? path.join(dataDir, 'tokens')),
    idleExitSeconds: idle === undefined ? undefined : nonNegative('--idle-exit-seconds', idle, 365 * 86400),
    graceSeconds: nonNegative('--grace-seconds', given.get('--grace-seconds') ?? '30', 86400),
    retention: { ...(maxAgeDays === undefined ? {} : { maxAgeDays }), ...(maxJobs === undefined ? {} : { maxJobs }) },
    rateLimits: {
      socketEvents: rate(given, '--rate-events', DEFAULT_RATE_LIMITS.socketEvents),
      socketBytes: rate(given, '--rate-mib', DEFAULT_RATE_LIMITS.socketBytes, MIB),
      httpRequests: rate(given, '--rate-http', DEFAULT_RATE_LIMITS.httpRequests),
    },
    ...(createPglite === undefined ? {} : { createPglite: path.resolve(createPglite) }),
    webhooks: { urls: webhooks, on: webhookOn },
    help,
  };
}
