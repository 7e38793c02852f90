// Helpers for the job runner tests: start fixture programs, collect their output, and make sure
// no process they started outlives the test.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Chunk, JobResult } from '../../../src/shared/jobs';
import { startJob, type JobOptions, type JobSpec, type RunningJob } from '../../../src/core/exec/startJob';

export const programs = path.join(__dirname, '../../fixtures/programs');

/** argv that runs a fixture program with this Node. */
export function node(program: string, ...args: string[]): string[] {
  return [process.execPath, path.join(programs, program), ...args];
}

/** A word to put in a test's argv, so that its processes can be found with ps. */
export function uniqueMarker(): string {
  return `vmo-test-${randomUUID()}`;
}

export interface Collected {
  job: RunningJob;
  chunks: Chunk[];
  /** When each chunk arrived (epoch ms). */
  arrivals: number[];
  text(stream?: Chunk['stream']): string;
  result: Promise<JobResult>;
}

const running = new Set<RunningJob>();

/** Starts a job and keeps its chunks; the job is canceled at the end of the file if still running. */
export function collect(spec: JobSpec, options: Partial<JobOptions> = {}): Collected {
  const chunks: Chunk[] = [];
  const arrivals: number[] = [];
  const job = startJob(spec, {
    ...options,
    onChunk: (chunk) => {
      chunks.push(chunk);
      arrivals.push(Date.now());
    },
  });
  running.add(job);
  const result = job.done.finally(() => running.delete(job));
  const text = (stream?: Chunk['stream']): string =>
    chunks
      .filter((c) => stream === undefined || c.stream === stream)
      .map((c) => c.text)
      .join('');
  return { job, chunks, arrivals, text, result };
}

/** Cancels every job still running, without grace: for `after()` hooks. */
export async function stopAll(): Promise<void> {
  const jobs = [...running];
  for (const job of jobs) job.cancel();
  await Promise.all(jobs.map((job) => job.done));
}

/** `pid pgid args` of every process whose command line holds `marker`, as ps prints them. */
export function processesWith(marker: string): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid,pgid,args'], { encoding: 'utf8' });
  return ps.split('\n').filter((line) => line.includes(marker) && !line.includes(' ps -eo'));
}

/** SIGKILL to every process whose command line holds `marker`: the safety net of a test. */
export function reap(marker: string): void {
  for (const line of processesWith(marker)) {
    try {
      process.kill(Number(line.trim().split(/\s+/)[0]), 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/** A live process, read from /proc. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  sid: number;
  args: string;
}

// The live processes whose environment holds exactly `VMO_JOB_ID=<tag>`, read from /proc here
// rather than by the code under test.
export function processesWithTag(tag: string): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!readFileSync(`/proc/${name}/environ`, 'latin1').split('\0').includes(`VMO_JOB_ID=${tag}`)) continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      const [state, ppid, , sid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z' || state === 'X') continue;
      const args = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
      found.push({ pid: Number(name), ppid: Number(ppid), sid: Number(sid), args });
    } catch {
      // It ended while we read.
    }
  }
  return found;
}

/** SIGKILL to every process tagged `tag`: the safety net of a test. */
export function reapTagged(tag: string): void {
  for (const { pid } of processesWithTag(tag)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/** Polls `condition` every 10 ms; throws after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** The text with the CRLF a terminal writes turned back into LF. */
export function lf(text: string): string {
  return text.replace(/\r\n/g, '\n');
}
