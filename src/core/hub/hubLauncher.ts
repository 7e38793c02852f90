// Finds the user's hub through a state file, or starts one: detached, so that it outlives the
// window that started it (it exits by itself when idle). A lock file makes two windows that
// start at the same moment share one hub. A hub started again (after it exited when idle, was
// killed or replaced) listens on the port of the last one when that is free, so an open dashboard
// reconnects and a copied dashboard address keeps working; the token file, and so the tokens, stay.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isPostgresUrl } from '../store/databaseUrl';
import { pidAlive } from '../util/pidAlive';
import { FileReadError, readBoundedSync, READ_LIMITS } from '../util/readBounded';

// The hub's young generation is capped at 4 MB a semi-space on PGlite, where V8 lets it grow to 16:
// a flood of output through the hub's sockets grew it to 32 MB, which a full collection does not
// give back and V8 kept for ~15 s after the last write. Measured on 2 cores, 100 MB reported at
// once into PGlite: 165 MB of RSS 20 s after, against 199–204 MB, at the same rate. Every user runs
// a hub on PGlite in the background. A hub on PostgreSQL, a team's, gets 8 MB: four statements of
// 1 MiB wait there (BatchWriter), more than 4 MB holds, and each scavenge moved them to the old
// generation. 100 MB reported at once to a hub on PostgreSQL (alternating hubs, eight runs each,
// medians) was stored in 689 ms with 8 MB against 760 ms with 4 (778 against 953 in another run),
// the hub holding 84 MB of RSS 20 s after against 77; a new hub on PGlite held 146–147 MB idle with
// 8 MB against 139–143 with 4.
/** Node's flags for a hub on `database` (its default, PGlite, when undefined): the ones it is started with here, and in the benches. */
export function hubNodeArgs(database: string | undefined): string[] {
  return [`--max-semi-space-size=${database !== undefined && isPostgresUrl(database) ? 8 : 4}`];
}

// A hub a window starts stores its jobs' output in the background, so it runs below normal
// priority: under load the jobs and the editor come first, and the hub catches up as soon as they
// leave a CPU. Measured on 2 cores, a job printing 100 MB through the hub (the ingest bench's end to
// end, alternating hubs): it ran at 0.87 of its speed with nothing attached against 0.77 with the
// hub at normal priority on PostgreSQL (six runs each), 0.85 against 0.82 on PGlite (four).
export const HUB_PRIORITY = os.constants.priority.PRIORITY_BELOW_NORMAL;

/** Lowers a new hub's priority to HUB_PRIORITY. A hub already gone, or a system that refuses, leaves it as it is: it works at any priority. */
export function lowerPriority(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    os.setPriority(pid, HUB_PRIORITY);
  } catch {
    // It runs at the priority it was started with.
  }
}

// glibc gives each thread that allocates an arena of its own, and the hub's database thread kept
// ~8 MB in one when idle: a hub on PGlite held 143–147 MB of RSS idle, and 134–138 MB with two
// arenas for the process. And glibc serves a block of 128 KiB or more (a flood of output makes
// many) from a mapping of its own, given back when freed, until one is freed: then it raises that
// bound to the block's size and serves them from its heap, which the small blocks between them
// keep from shrinking. Setting the bound keeps it. (Not zlib's: a stream's state comes in blocks
// under 128 KiB, from the heap either way.) Measured on 2 cores, a hub on PGlite after the ingest
// bench's runs (paced, three floods of 100 MB, 210 MB at once; three hubs each): the heap grew
// 66–76 MB and the hub's RSS 44–65 MB with glibc's moving bound, 34–45 MB and 35–45 MB with it
// fixed; idle, 142–144 MB against 135–137, at the same speed (100 MB at once, medians of six: 843
// against 836 ms on PostgreSQL, 1266 against 1216 on PGlite). (Other C libraries ignore both
// variables.)
/** The environment every hub is started with, beside the caller's. */
export const HUB_ENV = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: String(128 * 1024) };

export interface EnsureHubOptions {
  /** The hub's entry point, e.g. `<extension>/dist/server.js`. */
  serverScript: string;
  /** Holds `hub.json`, `tokens`, `hub.lock` and `hub.log`; created 0700. */
  stateDir: string;
  /** The Node to run it with (in VS Code: `process.execPath`, with ELECTRON_RUN_AS_NODE). */
  nodePath: string;
  env: NodeJS.ProcessEnv;
  /** A hub started by another version is replaced. */
  version: string;
  /** `--database`: a postgres:// URL or a PGlite folder; default: the hub's own default. */
  database?: string;
  /** More of the hub's flags, e.g. retention. A running hub started with other flags is replaced. */
  hubArgs?: string[];
  /** Arguments before the script (e.g. `--import tsx` in tests). */
  nodeArgs?: string[];
  /** `--idle-exit-seconds`; default 600. */
  idleExitSeconds?: number;
  /** How long the hub may take to print its first line; default START_TIMEOUT_MS. */
  startTimeoutMs?: number;
  /** How long to wait for another window's start (the lock); default 30 s more than a start may take. */
  lockTimeoutMs?: number;
}

export interface HubConnection {
  url: string;
  tokens: { operator: string; viewer: string };
  pid: number;
  /** True when this call started the hub, false when it found a running one. */
  started: boolean;
}

/** The content of `<stateDir>/hub.json`. */
export interface HubState {
  pid: number;
  port: number;
  url: string;
  version: string;
  tokenFile: string;
  /** The flags it was started with (database, retention); absent in older state files. */
  config?: string[];
}

const STATE_FILE = 'hub.json';
const LOCK_FILE = 'hub.lock';
const HEALTH_TIMEOUT_MS = 3000;
// How long a hub may take to listen: a first start on PGlite creates its database (initdb, in
// WebAssembly), which took 30–60 s on a 2-core machine busy with other work. The window's jobs run
// meanwhile, and are passed on once it listens; a hub cut short was started again and again.
const START_TIMEOUT_MS = 90_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// The state file of the hub, or undefined when it is missing or not of that shape. It is read
// bounded: a state file that is a FIFO, a device, a folder or over 64 KiB throws a FileReadError
// naming it, rather than hanging the window or being taken for "no hub".
export function readState(stateDir: string): HubState | undefined {
  let text: string;
  try {
    text = readBoundedSync(path.join(stateDir, STATE_FILE), READ_LIMITS.hubState);
  } catch (err) {
    if (err instanceof FileReadError && err.code !== 'ENOENT') throw err;
    return undefined;
  }
  try {
    const s = JSON.parse(text) as Partial<HubState>;
    if (typeof s.pid !== 'number' || typeof s.port !== 'number' || typeof s.url !== 'string' || typeof s.version !== 'string' || typeof s.tokenFile !== 'string') return undefined;
    return s as HubState;
  } catch {
    return undefined;
  }
}

/** Writes the state file atomically (temp file, then rename), mode 0600. */
export function writeState(stateDir: string, state: HubState): void {
  const file = path.join(stateDir, STATE_FILE);
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  renameSync(temp, file);
}

/** The tokens of a token file (`<role> <token>` lines); the first of each role. Read bounded. */
export function readTokens(file: string): { operator: string; viewer: string } {
  const text = readBoundedSync(file, READ_LIMITS.tokens);
  const operator = /^operator[ \t]+(\S+)[ \t]*$/m.exec(text)?.[1];
  const viewer = /^viewer[ \t]+(\S+)[ \t]*$/m.exec(text)?.[1];
  if (!operator || !viewer) throw new Error(`${file}: expected one "operator <token>" and one "viewer <token>" line`);
  return { operator, viewer };
}

/** True when the hub at `url` answers an authenticated request with 200. */
export async function hubAnswers(url: string, operatorToken: string, timeoutMs = HEALTH_TIMEOUT_MS): Promise<boolean> {
  try {
    const res = await fetch(`${url}/api/vms`, { headers: { authorization: `Bearer ${operatorToken}` }, signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}

// A pid from an old state file may belong to another program by now: on Linux the command line
// must name the hub's script; elsewhere only a pid whose url answered as our hub is stopped.
function looksLikeHub(pid: number, serverScript: string, answered: boolean): boolean {
  if (process.platform === 'linux') {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').some((arg) => arg === serverScript || path.basename(arg) === path.basename(serverScript));
    } catch {
      return false;
    }
  }
  return answered;
}

async function stopProcess(pid: number, timeoutMs = 10_000): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const start = Date.now();
  while (pidAlive(pid)) {
    if (Date.now() - start > timeoutMs) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone in between.
      }
      await sleep(100);
      return;
    }
    await sleep(50);
  }
}

/** The flags that make a hub what the options ask for. */
function hubConfig(options: EnsureHubOptions): string[] {
  return [...(options.database ? ['--database', options.database] : []), ...(options.hubArgs ?? [])];
}

const sameConfig = (a: readonly string[] | undefined, b: readonly string[]): boolean => (a ?? []).length === b.length && b.every((v, i) => a![i] === v);

/** The state's hub, if it runs, is of this version and configuration, and answers. */
async function usable(state: HubState | undefined, version: string, config: readonly string[]): Promise<{ tokens: { operator: string; viewer: string } } | undefined> {
  if (!state || state.version !== version || !sameConfig(state.config, config) || !pidAlive(state.pid)) return undefined;
  let tokens;
  try {
    tokens = readTokens(state.tokenFile);
  } catch {
    return undefined;
  }
  return (await hubAnswers(state.url, tokens.operator)) ? { tokens } : undefined;
}

// Takes the lock (O_EXCL); a lock whose holder died, or older than the start timeout allows, is
// broken. Resolves with a release function, or with undefined when `ready()` became true while
// waiting (another window started the hub).
async function lock(file: string, timeoutMs: number, staleMs: number, ready: () => Promise<boolean>): Promise<(() => void) | undefined> {
  const start = Date.now();
  for (;;) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          unlinkSync(file);
        } catch {
          // Already broken by someone who thought it stale.
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (await ready()) return undefined;
    try {
      // A lock that cannot be read as a pid (not a regular file, say) is broken once it is stale.
      let holder = 0;
      try {
        holder = Number(readBoundedSync(file, 64));
      } catch {
        // Not a pid: only its age counts.
      }
      const age = Date.now() - statSync(file).mtimeMs;
      if ((holder > 0 && holder !== process.pid && !pidAlive(holder)) || age > staleMs) unlinkSync(file);
    } catch {
      // Released in between: try again.
    }
    if (Date.now() - start > timeoutMs) throw new Error(`Timed out after ${timeoutMs} ms waiting for another window to start the hub (${file})`);
    await sleep(50 + Math.random() * 50);
  }
}

/** Reuses the running hub of `stateDir`, or replaces a stale or older one by a new one. */
export async function ensureHub(options: EnsureHubOptions): Promise<HubConnection> {
  const { stateDir, version } = options;
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const reuse = async (): Promise<HubConnection | undefined> => {
    const state = readState(stateDir);
    const ok = await usable(state, version, hubConfig(options));
    return ok && state ? { url: state.url, tokens: ok.tokens, pid: state.pid, started: false } : undefined;
  };
  const found = await reuse();
  if (found) return found;

  const startTimeoutMs = options.startTimeoutMs ?? START_TIMEOUT_MS;
  let result: HubConnection | undefined;
  const release = await lock(path.join(stateDir, LOCK_FILE), options.lockTimeoutMs ?? startTimeoutMs + 30_000, startTimeoutMs + 30_000, async () => (result = await reuse()) !== undefined);
  if (!release) return result!;
  try {
    // Another window may have finished its start just before we took the lock.
    const again = await reuse();
    if (again) return again;
    const old = readState(stateDir);
    if (old && pidAlive(old.pid)) {
      let answered = false;
      try {
        answered = await hubAnswers(old.url, readTokens(old.tokenFile).operator);
      } catch {
        // No token file: it cannot be asked.
      }
      if (looksLikeHub(old.pid, options.serverScript, answered)) await stopProcess(old.pid);
    }
    return await startHub(options, startTimeoutMs, old?.port);
  } finally {
    release();
  }
}

/** Starts a hub on `lastPort` when it is free, else on any free port. */
async function startHub(options: EnsureHubOptions, timeoutMs: number, lastPort: number | undefined): Promise<HubConnection> {
  const tokenFile = path.join(options.stateDir, 'tokens');
  const config = hubConfig(options);
  const port = ['--port', '0', ...(lastPort ? ['--prefer-port', String(lastPort)] : [])];
  const args = [...hubNodeArgs(options.database), ...(options.nodeArgs ?? []), options.serverScript, ...port, '--token-file', tokenFile, '--idle-exit-seconds', String(options.idleExitSeconds ?? 600), ...config];
  // stderr goes to a log file: a detached hub must not depend on a pipe to a window that may close.
  const logFd = openSync(path.join(options.stateDir, 'hub.log'), 'a', 0o600);
  let child: ChildProcess;
  try {
    child = spawn(options.nodePath, args, {
      env: { ...options.env, ...HUB_ENV, ELECTRON_RUN_AS_NODE: '1' },
      detached: true,
      stdio: ['ignore', 'pipe', logFd],
      windowsHide: true,
    });
  } finally {
    closeSync(logFd);
  }
  lowerPriority(child.pid);
  const stdout = child.stdout!;
  const line = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => fail(new Error(`The hub printed no line within ${timeoutMs} ms; see ${path.join(options.stateDir, 'hub.log')}`)), timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      stdout.off('data', onData);
      child.off('exit', onExit);
      child.off('error', fail);
    };
    function fail(err: Error): void {
      cleanup();
      child.kill('SIGKILL');
      reject(err);
    }
    function onData(d: Buffer): void {
      text += d.toString();
      const nl = text.indexOf('\n');
      if (nl >= 0) {
        cleanup();
        resolve(text.slice(0, nl));
      }
    }
    function onExit(code: number | null, signal: string | null): void {
      fail(new Error(`The hub exited (${code ?? signal}) before it listened; see ${path.join(options.stateDir, 'hub.log')}`));
    }
    stdout.on('data', onData);
    child.once('exit', onExit);
    child.once('error', fail);
  });
  const match = /^listening (http:\/\/\S+?):(\d+)\/?$/.exec(line.trim());
  if (!match || child.pid === undefined) {
    child.kill('SIGKILL');
    throw new Error(`The hub's first line is not "listening http://<host>:<port>": ${JSON.stringify(line)}`);
  }
  stdout.destroy();
  child.unref();
  const url = `${match[1]}:${match[2]}`;
  writeState(options.stateDir, { pid: child.pid, port: Number(match[2]), url, version: options.version, tokenFile, config });
  return { url, tokens: readTokens(tokenFile), pid: child.pid, started: true };
}
