// Starting and stopping the long-lived programs the e2e tests drive, so none is left behind.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';

/** Process groups still running; killed when this test process exits for any reason. */
const liveGroups = new Set<number>();
/** Temp folders to remove when this process exits before their owner did. */
const tempDirs = new Set<string>();

process.once('exit', () => {
  for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** Removes `dir` when the process exits (also on an interrupt); call the returned function once it is gone. */
export function removeOnExit(dir: string): () => void {
  tempDirs.add(dir);
  return () => tempDirs.delete(dir);
}
// On a signal: SIGTERM every group at once, SIGKILL and exit 2 s later. Other handlers (Playwright's, which
// closes its browsers; scripts/demo.mjs's, which stops in order) get those 2 s; Playwright's alone would not exit.
const SIGNAL_NUMBERS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    for (const pgid of liveGroups) signalGroup(pgid, 'SIGTERM');
    setTimeout(() => {
      for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
      process.exit(128 + SIGNAL_NUMBERS[signal]);
    }, 2000);
  });
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already gone.
  }
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/** Every descendant of `pid` (children, grandchildren, …) read from /proc, including ones that left the group. */
export function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name (field 2) may hold spaces and parentheses: fields resume after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(Number(entry), Number(fields[1]));
    } catch {
      // The process ended while we read.
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [child, ppid] of parentOf) {
      if (ppid === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

/** True while `pid` runs; a zombie (ended, not yet reaped) counts as gone. */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** A child started in a process group of its own, with its output kept for diagnosis. */
export interface ManagedProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** stdout and stderr interleaved, last 2 MB. */
  output(): string;
  /** Resolves with the exit code or signal once the process has ended. */
  readonly exited: Promise<number | NodeJS.Signals>;
  /** SIGTERM to the group and every descendant, SIGKILL after `graceMs`; resolves when the leader is gone. */
  stop(graceMs?: number): Promise<void>;
}

const OUTPUT_LIMIT = 2 * 1024 * 1024;

/** Starts `file args` detached (own process group) so the whole tree can be stopped at once. */
export function startProcess(file: string, args: string[], options: SpawnOptions = {}): ManagedProcess {
  const child = spawn(file, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`Could not start ${file}`);
  const pid = child.pid;
  liveGroups.add(pid);
  // Never keep the test process alive: when its tests are done it exits, and the exit hook kills the group.
  child.unref();
  for (const stream of [child.stdout, child.stderr]) (stream as unknown as { unref?: () => void } | null)?.unref?.();
  let buffer = '';
  const append = (chunk: Buffer): void => {
    buffer += chunk.toString('utf8');
    if (buffer.length > OUTPUT_LIMIT) buffer = buffer.slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | NodeJS.Signals>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 0));
    child.once('error', (err) => {
      append(Buffer.from(`\n${String(err)}\n`));
      resolve(-1);
    });
  });

  const stop = async (graceMs = 5000): Promise<void> => {
    const tree = [pid, ...descendants(pid)];
    signalGroup(pid, 'SIGTERM');
    for (const p of tree) signalPid(p, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && tree.some(isAlive)) await new Promise((r) => setTimeout(r, 50));
    const late = [...tree, ...descendants(pid)].filter(isAlive);
    signalGroup(pid, 'SIGKILL');
    for (const p of late) signalPid(p, 'SIGKILL');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
    liveGroups.delete(pid);
  };

  return { child, pid, output: () => buffer, exited, stop };
}
