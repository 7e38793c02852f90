// The least the product's path can cost end to end: the producer through the runner, as in the
// end-to-end run, with each chunk written as it comes straight into the store by COPY — no
// reporter, socket, hub, statements or acknowledgements. On PostgreSQL, one COPY … FROM STDIN fed
// as the chunks come; on PGlite, whose COPY reads a whole blob, one COPY per MiB of rows on a
// thread of its own, as the hub runs it (_pgliteCopyThread.ts). Timed, as the end-to-end run is,
// from the job's start until the last row is stored; with the CPU of the store (PostgreSQL's
// backend, or PGlite's own thread without V8's helper threads), of this process and of the machine.
import { once } from 'node:events';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { PgliteJobStore } from '../src/core/store/pgliteJobStore';
import { PostgresJobStore } from '../src/core/store/postgresJobStore';
import type { Chunk } from '../src/shared/jobs';
import { tsxThreadScript } from '../test/harness/tsxThread';
import { COPY_COLUMNS, copyRow, newJob } from './_copyLimit';
import { benchMeter, cpuMsOf } from './_hubProcess';
import { mib, round, runProducer, type IngestSetup } from './_ingestJob';
import { copyFromStdin, Parts } from './_pgCopy';

const PART_CHARS = 2 ** 20;

/** What the store says once the last row is in: how many rows, and the CPU it took. */
interface Stored {
  rows: number;
  storeCpuMs: number;
}

/** Runs `argv` through the runner, handing each chunk to `write`, until `stored` resolves after the job. */
async function timedRun(setup: IngestSetup, argv: string[], write: (chunk: Chunk) => void, stored: () => Promise<Stored>) {
  let bytes = 0;
  let chunks = 0;
  const start = performance.now();
  const cpu = benchMeter();
  await runProducer(setup, argv, (chunk) => {
    write(chunk);
    bytes += Buffer.byteLength(chunk.text);
    chunks++;
  });
  const fedMs = performance.now() - start;
  const { rows, storeCpuMs } = await stored();
  const ms = performance.now() - start;
  if (rows !== chunks) throw new Error(`The COPY stored ${rows} of ${chunks} rows`);
  return { bytes, chunks, fed_ms: Math.round(fedMs), stored_ms: Math.round(ms), mib_s: round(mib(bytes) / (ms / 1000)), cpu_ms: { store: storeCpuMs, ...cpu(ms) } };
}

/** `argv`'s output through the runner into one COPY into the PostgreSQL database at `url`. */
export async function runnerIntoPostgres(setup: IngestSetup, url: string, argv: string[]) {
  const id = await newJob(await PostgresJobStore.open({ url }));
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const backend = (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const backendCpuMs = cpuMsOf(backend);
    const parts = new Parts();
    const copied = copyFromStdin(db, `COPY ${COPY_COLUMNS} FROM STDIN`, parts);
    copied.catch(() => undefined);
    const stored = async (): Promise<Stored> => {
      parts.end();
      return { rows: await copied, storeCpuMs: cpuMsOf(backend) - backendCpuMs };
    };
    return await timedRun(setup, argv, (chunk) => parts.push(Buffer.from(copyRow(id, chunk))), stored);
  } finally {
    await db.end().catch(() => undefined);
  }
}

/** `argv`'s output through the runner into the PGlite folder `dir`, a COPY per MiB on PGlite's thread. */
export async function runnerIntoPglite(setup: IngestSetup, dir: string, argv: string[]) {
  const id = await newJob(await PgliteJobStore.open({ dir }));
  const thread = new Worker(tsxThreadScript(setup.tmp, path.join(__dirname, '_pgliteCopyThread.ts')), { workerData: { dir } });
  const failed = once(thread, 'error').then(([err]) => Promise.reject(err as Error));
  failed.catch(() => undefined);
  try {
    const next = <T>(): Promise<T> => Promise.race([once(thread, 'message').then(([m]) => m as T), failed]);
    await next<'ready'>();
    let text = '';
    const send = (): void => {
      // Its own buffer, not a slice of Buffer's pool, so that it can move to the thread uncopied.
      const part = new TextEncoder().encode(text);
      thread.postMessage(part, [part.buffer]);
      text = '';
    };
    const write = (chunk: Chunk): void => {
      text += copyRow(id, chunk);
      if (text.length >= PART_CHARS) send();
    };
    const stored = async (): Promise<Stored> => {
      if (text) send();
      const answered = next<{ rows: number; cpuMs: number } | { error: string }>();
      thread.postMessage(null);
      const answer = await answered;
      if ('error' in answer) throw new Error(`The COPY into PGlite failed: ${answer.error}`);
      return { rows: answer.rows, storeCpuMs: answer.cpuMs };
    };
    return await timedRun(setup, argv, write, stored);
  } finally {
    await thread.terminate();
  }
}
