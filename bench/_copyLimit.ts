// The limit a store can take: the chunks of one job written by a single COPY into job_events of a
// fresh, migrated database, in COPY's text format prepared beforehand; only the COPY is timed.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import { startPglite } from '../src/core/store/pglite';
import { PgliteJobStore } from '../src/core/store/pgliteJobStore';
import type { JobStore } from '../src/core/store/jobStore';
import { PostgresJobStore } from '../src/core/store/postgresJobStore';
import type { Chunk } from '../src/shared/jobs';
import { copyFromStdin, copyText } from './_pgCopy';
import { rate } from './ingest-store';

/** The table and columns a COPY of chunks fills. */
export const COPY_COLUMNS = 'job_events (job_id, seq, ts, stream, chunk)';

/** Migrates the store, starts one job in it and closes it; returns the job's id. */
export async function newJob(store: JobStore): Promise<string> {
  const id = randomUUID();
  try {
    await store.migrate();
    await store.jobStarted({ id, kind: 'target', mode: 'console', title: 'copy', argv: ['copy'], hostname: os.hostname(), startedAt: Date.now(), status: 'running' });
  } finally {
    await store.close();
  }
  return id;
}

/** One chunk of the job `id` as a row of COPY's text format. */
export function copyRow(id: string, c: Chunk): string {
  return `${id}\t${c.seq}\t${new Date(c.ts).toISOString()}\t${c.stream}\t${copyText(c.text)}\n`;
}

// Migrates the store, starts one job in it and closes it; returns COPY's text of `chunks` for
// that job, in parts of whole rows, each of at least `partChars` characters but the last.
export async function jobWithRows(store: JobStore, chunks: readonly Chunk[], partChars = 2 ** 20): Promise<Buffer[]> {
  const id = await newJob(store);
  const parts: Buffer[] = [];
  let text = '';
  for (const c of chunks) {
    text += copyRow(id, c);
    if (text.length >= partChars) {
      parts.push(Buffer.from(text));
      text = '';
    }
  }
  if (text) parts.push(Buffer.from(text));
  return parts;
}

/** One `COPY … FROM STDIN` into the PostgreSQL database at `url`. */
export async function copyIntoPostgres(url: string, chunks: readonly Chunk[]) {
  const data = await jobWithRows(await PostgresJobStore.open({ url }), chunks);
  const db = new pg.Client({ connectionString: url });
  try {
    await db.connect();
    const start = performance.now();
    const rows = await copyFromStdin(db, `COPY ${COPY_COLUMNS} FROM STDIN`, data);
    const ms = performance.now() - start;
    if (rows !== chunks.length) throw new Error(`COPY stored ${rows} of ${chunks.length} rows`);
    return { ...rate(chunks, ms), rows };
  } finally {
    await db.end().catch(() => undefined);
  }
}

/** One `COPY … FROM '/dev/blob'` into a PGlite folder `dir`, started as the product starts it. */
export async function copyIntoPglite(dir: string, chunks: readonly Chunk[]) {
  const data = await jobWithRows(await PgliteJobStore.open({ dir }), chunks);
  const db = await startPglite(dir);
  try {
    const start = performance.now();
    const result = await db.query(`COPY ${COPY_COLUMNS} FROM '/dev/blob'`, [], { blob: new Blob(data) });
    const ms = performance.now() - start;
    if (result.affectedRows !== chunks.length) throw new Error(`COPY stored ${result.affectedRows} of ${chunks.length} rows`);
    return { ...rate(chunks, ms), rows: chunks.length };
  } finally {
    await db.close();
  }
}
