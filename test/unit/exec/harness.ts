// Helpers for the job runner tests: start fixture programs, collect their output, and make sure
// no process they started outlives the test.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
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
