// Job output into the store: 1,000,000 lines of build output cut into chunks as the runner cuts
// them, written through the BatchWriter, against the seed's way (one INSERT per chunk, awaited), on
// PGlite in memory, PGlite on disk and PostgreSQL (a throwaway cluster with fsync on, or
// VMO_TEST_DATABASE_URL). Also 20,000 one-line chunks, a job printing slowly, both ways.
// Prints rows/s, lines/s and MiB/s of each, and the writer's speed-up over the seed's way.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPORT_MAX_CHARS } from '../src/shared/hubProtocol';
import type { Chunk, JobInfo } from '../src/shared/jobs';
import { BatchWriter } from '../src/core/store/batchWriter';
import type { JobStore } from '../src/core/store/jobStore';
import { PgliteJobStore } from '../src/core/store/pgliteJobStore';
import { PostgresJobStore } from '../src/core/store/postgresJobStore';
import { startTestPostgres } from '../test/harness/postgres';
import { machine } from './machine';

const LINES = 1_000_000;
const CHUNK_BYTES = REPORT_MAX_CHARS;
const SMALL_CHUNKS = 20_000;

/** Output of `lines` lines of ~60 bytes, cut on line boundaries into chunks of about `chunkBytes`. */
export function floodChunks(lines: number, chunkBytes: number): Chunk[] {
  const chunks: Chunk[] = [];
  let text = '';
  for (let i = 0; i < lines; i++) {
    text += `[${String(i).padStart(7, '0')}] cc -O2 -c src/module_${i % 97}.c -o build/module_${i % 97}.o\n`;
    if (text.length >= chunkBytes || i === lines - 1) {
      chunks.push({ seq: chunks.length, ts: Date.now(), stream: 'stdout', text });
      text = '';
    }
  }
  return chunks;
}

/** Throughput of one run. */
export interface Rate {
  ms: number;
  rows_per_s: number;
  lines_per_s: number;
  mib_per_s: number;
}

/** The rate of storing `chunks` in `ms`. */
export function rate(chunks: readonly Chunk[], ms: number): Rate {
  const bytes = chunks.reduce((n, c) => n + Buffer.byteLength(c.text), 0);
  const lines = chunks.reduce((n, c) => n + c.text.split('\n').length - 1, 0);
  return {
    ms: Math.round(ms),
    rows_per_s: Math.round(chunks.length / (ms / 1000)),
    lines_per_s: Math.round(lines / (ms / 1000)),
    mib_per_s: Math.round((bytes / 2 ** 20 / (ms / 1000)) * 10) / 10,
  };
}

function job(): JobInfo {
  return { id: randomUUID(), kind: 'target', mode: 'console', title: 'bench build', argv: ['make', 'all'], hostname: os.hostname(), startedAt: Date.now(), status: 'running' };
}

/** The chunks through a BatchWriter with its default limits, until all are stored. */
export async function throughWriter(store: JobStore, chunks: Chunk[]): Promise<Rate> {
  const info = job();
  await store.jobStarted(info);
  const writer = new BatchWriter(store);
  const start = performance.now();
  for (const chunk of chunks) writer.chunks(info.id, [chunk]);
  await writer.close();
  return rate(chunks, performance.now() - start);
}

/** The seed's way: one INSERT per chunk, each awaited before the next. */
export async function onePerChunk(store: JobStore, chunks: Chunk[]): Promise<Rate> {
  const info = job();
  await store.jobStarted(info);
  const start = performance.now();
  for (const chunk of chunks) await store.appendChunks(info.id, [chunk]);
  return rate(chunks, performance.now() - start);
}

/** Both ways on both workloads, on a fresh store. */
export async function measure(open: () => Promise<JobStore>): Promise<Record<string, unknown>> {
  const store = await open();
  try {
    await store.migrate();
    const flood = floodChunks(LINES, CHUNK_BYTES);
    const trickle = floodChunks(SMALL_CHUNKS, 1);
    const floodWriter = await throughWriter(store, flood);
    const floodSeed = await onePerChunk(store, flood);
    const trickleWriter = await throughWriter(store, trickle);
    const trickleSeed = await onePerChunk(store, trickle);
    return {
      flood: { writer: floodWriter, one_per_chunk: floodSeed, speedup: Math.round((floodSeed.ms / floodWriter.ms) * 10) / 10 },
      one_line_chunks: { writer: trickleWriter, one_per_chunk: trickleSeed, speedup: Math.round((trickleSeed.ms / trickleWriter.ms) * 10) / 10 },
    };
  } finally {
    await store.close();
  }
}

async function main(): Promise<void> {
  const result: Record<string, unknown> = { bench: 'ingest-store', lines: LINES, chunk_kb: CHUNK_BYTES / 1024, one_line_chunks: SMALL_CHUNKS };
  result.pglite_memory = await measure(() => PgliteJobStore.open());
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vmo-bench-ingest-'));
  try {
    result.pglite_disk = await measure(() => PgliteJobStore.open({ dir: path.join(dir, 'history') }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const server = await startTestPostgres({ durable: true });
  if (server) {
    try {
      const url = await server.createDatabase();
      result.postgres = await measure(() => PostgresJobStore.open({ url }));
    } finally {
      await server.close();
    }
  }
  console.log(JSON.stringify({ ...result, machine: machine() }));
}

if (require.main === module) void main();
