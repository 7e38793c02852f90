import { messageOf } from '../../shared/errors';
import type { Chunk } from '../../shared/jobs';
import type { ChunkBatch } from './jobStore';

/** How a write ended: stored, given up on (close() timed out), or refused for good with the database's error. */
export type Outcome = 'stored' | 'abandoned' | { refused: unknown };

/** What isolating refused rows needs of the writer: a write of chunks that retries while the database is away, and where a refusal is told. */
export interface RowWrites {
  append(batches: ChunkBatch[]): Promise<Outcome>;
  refused(what: string, error: unknown): void;
}

const rowCount = (batches: readonly ChunkBatch[]): number => batches.reduce((n, b) => n + b.chunks.length, 0);

/** The first `n` rows of `batches`, and the rest. */
function splitRows(batches: readonly ChunkBatch[], n: number): [ChunkBatch[], ChunkBatch[]] {
  const head: ChunkBatch[] = [];
  const tail: ChunkBatch[] = [];
  let left = n;
  for (const batch of batches) {
    const taken = Math.min(left, batch.chunks.length);
    if (taken > 0) head.push({ jobId: batch.jobId, chunks: batch.chunks.slice(0, taken) });
    if (taken < batch.chunks.length) tail.push({ jobId: batch.jobId, chunks: batch.chunks.slice(taken) });
    left -= taken;
  }
  return [head, tail];
}

// Chunks of which the database refused some for their data (`error`): each half is written on its
// own, down to single rows. A refused row becomes a system line in its place (same seq, so the
// job's output keeps its order and its end); when even that is refused, the row is left out.
export async function isolateRefused(batches: ChunkBatch[], error: unknown, writes: RowWrites): Promise<'stored' | 'abandoned'> {
  const rows = rowCount(batches);
  if (rows === 1) {
    const { jobId, chunks } = batches[0];
    const chunk = chunks[0];
    writes.refused(`chunk ${chunk.seq} of job ${jobId}`, error);
    const notice: Chunk = { seq: chunk.seq, ts: chunk.ts, stream: 'system', text: `[This output was not stored: the database refused it (${messageOf(error)})]\n` };
    const outcome = await writes.append([{ jobId, chunks: [notice] }]);
    if (typeof outcome !== 'string') writes.refused(`the notice for chunk ${chunk.seq} of job ${jobId}`, outcome.refused);
    return outcome === 'abandoned' ? 'abandoned' : 'stored';
  }
  for (const half of splitRows(batches, Math.ceil(rows / 2))) {
    const outcome = await writes.append(half);
    if (outcome === 'abandoned') return outcome;
    if (typeof outcome !== 'string' && (await isolateRefused(half, outcome.refused, writes)) === 'abandoned') return 'abandoned';
  }
  return 'stored';
}
