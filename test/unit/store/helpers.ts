// Jobs, chunks and SQL access shared by the store tests.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Chunk, JobInfo } from '../../../src/shared/jobs';
import type { ChunkBatch, JobStore } from '../../../src/core/store/jobStore';
import type { SqlClient } from '../../../src/core/store/sqlClient';
import type { JobStoreWrites } from '../../../src/core/store/batchWriter';
import type { JobRecorder } from '../../../src/core/jobs/recorder';
import { tsxThreadScript } from '../../harness/tsxThread';

/** A running target job; fields may be overridden. */
export function newJob(over: Partial<JobInfo> = {}): JobInfo {
  return {
    id: randomUUID(),
    kind: 'target',
    mode: 'console',
    title: 'web build',
    argv: ['make', '-C', '/src/web', 'build'],
    cwd: '/src/web',
    alias: 'web',
    target: 'build',
    args: [],
    hostname: 'builder-1',
    startedAt: Date.now(),
    status: 'running',
    ...over,
  };
}

/** `count` one-line chunks from `from` on. */
export function lines(from: number, count: number, stream: Chunk['stream'] = 'stdout'): Chunk[] {
  return Array.from({ length: count }, (_, i) => ({ seq: from + i, ts: 1_700_000_000_000 + from + i, stream, text: `line ${from + i}\n` }));
}

/** A job's output as it is printed: the chunks sent so far, the text of every line sent, and how to stop. */
export interface Printing {
  sent: Chunk[];
  text(): string;
  stop(): void;
}

/** A job printing a line every 5 ms, in chunks of one to three lines, into `recorder` until stop(). */
export function printing(recorder: Pick<JobRecorder, 'chunks'>, jobId: string): Printing {
  const sent: Chunk[] = [];
  let line = 0;
  const timer = setInterval(() => {
    const text = Array.from({ length: 1 + (line % 3) }, () => `line ${line++}\n`).join('');
    const chunk: Chunk = { seq: sent.length, ts: Date.now(), stream: 'stdout', text };
    sent.push(chunk);
    recorder.chunks(jobId, [chunk]);
  }, 5);
  return { sent, text: () => Array.from({ length: line }, (_, i) => `line ${i}\n`).join(''), stop: () => clearInterval(timer) };
}

/** The store's SQL client, to look at (or tamper with) what the API does not show. */
export function sqlOf(store: JobStore): SqlClient {
  return (store as unknown as { db: SqlClient }).db;
}

/** Every stored chunk of a job, read back in pages of `limit`. */
export async function readAll(store: JobStore, jobId: string, limit = 1000): Promise<Chunk[]> {
  const all: Chunk[] = [];
  for (let page = await store.readEvents(jobId, 0, { limit }); page.length > 0; page = await store.readEvents(jobId, page[page.length - 1].seq + 1, { limit })) {
    all.push(...page);
  }
  return all;
}

/** A store's writes, recorded (and failing on demand) on their way to the real store. */
export interface Recording {
  writes: JobStoreWrites;
  /** The batches of every appendBatch statement that reached the store, in order. */
  statements: ChunkBatch[][];
  /** Makes the next `n` writes fail before they reach the database. */
  failNext(n: number): void;
}

/** Wraps the writes of `store` to record each statement and inject failures. */
export function recording(store: JobStore): Recording {
  const statements: ChunkBatch[][] = [];
  let failures = 0;
  const gate = (): void => {
    if (failures > 0) {
      failures--;
      throw new Error('injected failure');
    }
  };
  const writes: JobStoreWrites = {
    async jobStarted(job, reporter) {
      gate();
      return store.jobStarted(job, reporter);
    },
    async appendBatch(batches) {
      gate();
      statements.push(batches.map((b) => ({ jobId: b.jobId, chunks: [...b.chunks] })));
      return store.appendBatch(batches);
    },
    async jobFinished(jobId, result) {
      gate();
      return store.jobFinished(jobId, result);
    },
  };
  return { writes, statements, failNext: (n) => (failures = n) };
}

/** The database thread's script as the tests run it, from the TypeScript source (a shim in `dir`). */
export function pgliteThreadScript(dir: string): string {
  return tsxThreadScript(dir, path.resolve(__dirname, '../../../src/core/store/pgliteWorker.ts'));
}
