// Where the console bench's CPU time goes: this process (the host), Chromium's processes and
// threads, and the whole machine, read from /proc.
import { readdirSync, readFileSync } from 'node:fs';

/** CPU time so far, ms: of the bench's own process, of every Chromium process it started, by thread, and of the machine. */
export interface CpuSnapshot {
  host: number;
  chromium: number;
  machine: number;
  threads: Map<string, number>;
}

/** CPU time (ms) of a process's threads by name (e.g. CrRendererMain, Compositor, DedicatedWorker). */
function threadTimes(pid: number, into: Map<string, number>, prefix: string): void {
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      const name = `${prefix}${stat.slice(stat.indexOf('(') + 1, close)}`;
      into.set(name, (into.get(name) ?? 0) + (Number(fields[11]) + Number(fields[12])) * 10);
    }
  } catch {
    // The process ended meanwhile.
  }
}

/** CPU time so far (ms) of this process, of Chromium (every process it started, and by thread) and of the whole machine. */
export function cpuSnapshot(): CpuSnapshot {
  const tick = 10; // USER_HZ = 100 on Linux
  const parents = new Map<number, number>();
  const times = new Map<number, number>();
  const comms = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      const pid = Number(entry);
      comms.set(pid, stat.slice(stat.indexOf('(') + 1, close));
      parents.set(pid, Number(fields[1]));
      times.set(pid, (Number(fields[11]) + Number(fields[12])) * tick);
    } catch {
      // The process ended meanwhile.
    }
  }
  const descends = (pid: number): boolean => {
    for (let p = parents.get(pid); p !== undefined && p > 1; p = parents.get(p)) if (p === process.pid) return true;
    return false;
  };
  let chromium = 0;
  const threads = new Map<string, number>();
  for (const [pid, t] of times) {
    if (!descends(pid) || !/chrom/i.test(comms.get(pid) ?? '')) continue;
    chromium += t;
    threadTimes(pid, threads, 'chromium:');
  }
  threadTimes(process.pid, threads, 'host:');
  const [, ...counts] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = counts.map(Number);
  return { host: times.get(process.pid) ?? 0, chromium, machine: (user! + nice! + system! + irq! + softirq! + steal!) * tick, threads };
}

/** The threads that took at least 100 ms between two snapshots, busiest first (at most 10). */
export function busiestThreads(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const spent = [...after].map(([name, t]) => [name, t - (before.get(name) ?? 0)] as const).filter(([, t]) => t >= 100);
  return Object.fromEntries(spent.sort((a, b) => b[1] - a[1]).slice(0, 10));
}
