// The built hub (`node dist/server.js`) as a process of its own, so that its memory can be read
// from /proc; rebuilt first when a source file is newer than the bundle.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HUB_ENV, hubNodeArgs, lowerPriority } from '../src/core/hub/hubLauncher';

const REPO = path.resolve(__dirname, '..');
const BUNDLE = path.join(REPO, 'dist/server.js');
/** The hub reporter's thread, as the extension starts it. */
export const REPORTER_THREAD = path.join(REPO, 'dist/reporterWorker.js');

export const VIEWER = 'bench-viewer-token-0123456789abcdef';
export const OPERATOR = 'bench-operator-token-0123456789abcdef';

/** The newest modification time under `dir`, in ms. */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) latest = Math.max(latest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

/** Runs `npm run build` when dist/server.js or dist/reporterWorker.js is missing or older than src/ or sql/; returns whether it did. */
export function buildHubIfStale(): boolean {
  let built = 0;
  try {
    built = Math.min(statSync(BUNDLE).mtimeMs, statSync(REPORTER_THREAD).mtimeMs);
  } catch {
    // Not built yet.
  }
  if (built >= Math.max(newest(path.join(REPO, 'src')), newest(path.join(REPO, 'sql')))) return false;
  const run = spawnSync('npm', ['run', 'build'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  if (run.status !== 0) throw new Error(`npm run build failed (${run.status ?? run.signal})`);
  return true;
}

/** Memory of a process from /proc/<pid>/status, in MiB: now (VmRSS) and at its peak (VmHWM). */
export function rssOf(pid: number): { rss_mb: number; peak_mb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss_mb: Math.round(kb('VmRSS') / 1024), peak_mb: Math.round(kb('VmHWM') / 1024) };
}

/** CPU time every process on the machine has used, in ms summed over its CPUs, from /proc/stat. */
export function machineBusyMs(): number {
  const [user, nice, system, _idle, _iowait, irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1).map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) * 10;
}

/** CPU time a process has used (user + system), in ms, from /proc/<pid>/stat; 'thread-self': the calling thread's; `<pid>/task/<tid>`: one thread's. */
export function cpuMsOf(pid: number | 'thread-self' | `${number}/task/${number}`): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

// Starts counting the CPU that this process (and of it, its main thread: the rest is the reporter's
// thread and V8's and libuv's helpers) and the whole machine take; the function returned says how
// much each took since, and how much `ms` of wall time offered.
export function benchMeter(): (ms: number) => Record<'bench' | 'bench_main_thread' | 'machine' | 'available', number> {
  const main = `${process.pid}/task/${process.pid}` as const;
  const before = { bench: process.cpuUsage(), main: cpuMsOf(main), machine: machineBusyMs() };
  return (ms) => {
    const bench = process.cpuUsage(before.bench);
    return {
      bench: Math.round((bench.user + bench.system) / 1000),
      bench_main_thread: cpuMsOf(main) - before.main,
      machine: machineBusyMs() - before.machine,
      available: Math.round(ms * os.availableParallelism()),
    };
  };
}

type Meter<N extends string> = Record<N | `${N}_main_thread` | 'bench' | 'bench_main_thread' | 'machine' | 'available', number>;

// benchMeter, and the CPU that the process `pid` (as `name`) takes, and of it, its main thread
// (`<name>_main_thread`); the rest is its other threads: a hub's database thread on PGlite, and
// V8's and libuv's helpers.
export function cpuMeter<N extends string>(name: N, pid: number): (ms: number) => Meter<N> {
  const main = `${pid}/task/${pid}` as const;
  const before = { all: cpuMsOf(pid), main: cpuMsOf(main) };
  const rest = benchMeter();
  return (ms) => ({ [name]: cpuMsOf(pid) - before.all, [`${name}_main_thread`]: cpuMsOf(main) - before.main, ...rest(ms) }) as Meter<N>;
}

export interface HubProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** SIGTERM (the hub stores what it accepted), SIGKILL after 30 s. */
  stop(): Promise<void>;
}

// Starts the hub on `database` (postgres:// URL or PGlite folder) with its data in `dir`, and
// resolves once it printed `listening <url>` on a line (with --trace-gc, V8's lines come first).
// `nodeArgs` go to node (e.g. --cpu-prof).
export function startHubProcess(database: string, dir: string, nodeArgs: readonly string[] = []): Promise<HubProcess> {
  const tokenFile = path.join(dir, 'tokens');
  writeFileSync(tokenFile, `viewer ${VIEWER}\noperator ${OPERATOR}\n`, { mode: 0o600 });
  const args = [...hubNodeArgs(database), ...nodeArgs, BUNDLE, '--database', database, '--data-dir', dir, '--token-file', tokenFile, '--host', '127.0.0.1', '--port', '0'];
  const child = spawn(process.execPath, args, { cwd: REPO, env: { ...process.env, ...HUB_ENV }, stdio: ['ignore', 'pipe', 'inherit'] });
  lowerPriority(child.pid);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (data: Buffer) => {
      out += data.toString();
      const line = /^listening (\S+)\n/m.exec(out);
      if (line) resolve({ url: line[1]!, pid: child.pid!, child, stop });
    });
    void exited.then(() => reject(new Error(`The hub exited (${child.exitCode ?? child.signalCode}) before it listened`)));
  });
}
