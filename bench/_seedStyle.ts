// The seed's way of storing a job's output (../shared/seed-prd.md, executeWithStream): every read
// of the program's output is one `io.emit('job:log', …)` and one `INSERT INTO job_events`, each
// awaited before the next. The program runs on the same transport as the product's runner (a
// pseudo-terminal for the console, or pipes), without its LineChunker: the seed had none, it
// stored each `data` event as it came.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import pg from 'pg';
import { Server } from 'socket.io';
import { spawnPipes } from '../src/core/exec/pipeTransport';
import { loadPty } from '../src/core/exec/ptyLoader';
import { spawnPty } from '../src/core/exec/ptyTransport';
import type { SpawnRequest, TransportEvents } from '../src/core/exec/transport';
import { PostgresJobStore } from '../src/core/store/postgresJobStore';

export interface SeedStyleRun {
  bytes: number;
  /** Reads of the program's output, each one INSERT and one emit. */
  rows: number;
  ms: number;
  mib_s: number;
}

// Runs `argv` (a program that prints the sample) and stores its output the seed's way into the
// database at `url` (migrated here); resolves once the last row is stored.
export async function seedStyle(url: string, argv: readonly string[], usePty: boolean): Promise<SeedStyleRun> {
  const store = await PostgresJobStore.open({ url });
  const db = new pg.Client({ connectionString: url });
  const server = http.createServer();
  const io = new Server(server, { serveClient: false });
  try {
    await store.migrate();
    const jobId = randomUUID();
    await store.jobStarted({ id: jobId, kind: 'target', mode: 'console', title: 'seed-style', argv: [...argv], hostname: os.hostname(), startedAt: Date.now(), status: 'running' });
    await db.connect();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const nsp = io.of('/jobs');

    let seq = 0;
    let bytes = 0;
    let chain = Promise.resolve();
    const start = performance.now();
    const exited = new Promise<void>((resolve, reject) => {
      const events: TransportEvents = {
        data: (stream, data) => {
          const chunk = Buffer.from(data).toString();
          const row = [jobId, seq++, new Date().toISOString(), stream, chunk];
          bytes += Buffer.byteLength(chunk);
          chain = chain.then(async () => {
            nsp.emit('job:log', { jobId, stream, chunk });
            await db.query('INSERT INTO job_events (job_id, seq, ts, stream, chunk) VALUES ($1, $2, $3, $4, $5)', row);
          });
        },
        exit: (exit) => (exit.error ? reject(exit.error) : resolve()),
      };
      const request: SpawnRequest = { file: argv[0]!, args: argv.slice(1), env: process.env, cols: 160, rows: 40 };
      const pty = usePty ? loadPty() : undefined;
      if (pty && 'pty' in pty) spawnPty(pty.pty, request, events);
      else spawnPipes(request, events);
    });
    await exited;
    await chain;
    const ms = performance.now() - start;
    const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM job_events WHERE job_id = $1', [jobId]);
    if (Number(rows[0]!.n) !== seq) throw new Error(`Seed-style stored ${rows[0]!.n} of ${seq} rows`);
    return { bytes, rows: seq, ms: Math.round(ms), mib_s: Math.round((bytes / 2 ** 20 / (ms / 1000)) * 10) / 10 };
  } finally {
    await db.end().catch(() => undefined);
    await new Promise<void>((resolve) => io.close(() => resolve()));
    await store.close();
  }
}
