import { isCheckedChunk, utf8Of } from '../../shared/schema';
import { cleanText } from '../../shared/schemaFields';
import { epochMs, isoTime } from './jobRows';
import { pack } from './packedOutput';
import type { ChunkBatch, EventPage } from './jobStore';

const DEFAULT_LIMIT = 1000;
const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;

/** Up to this many rows, each chunk's text is a parameter of its own rather than an array element. */
const TEXTS_APART_MAX_ROWS = 100;

// Chunks of several jobs in one statement, as arrays unnested into rows. Rows already stored
// (same job and seq) are skipped, and so are rows of a job that is not (or no longer) stored, so
// that no batch can fail for good; each job's last_seq and updated_at follow. The statement
// returns the count of rows inserted.
// Measured on a 2-core machine: for 1000 one-line chunks per statement, arrays ran about twice
// as fast as a multi-row VALUES list on both PGlite and PostgreSQL; for a few 64 KB chunks,
// packing the text into an array literal (escaped by pg, parsed again by the server) halved
// PostgreSQL's throughput, so a batch of few rows passes each text as its own parameter
// (`ARRAY[$6, $7, …]`), as fast as VALUES. COPY into a staging table (needed for ON CONFLICT)
// was no faster than either.
// Large chunks are stored deflated (packedOutput.ts), each as a parameter of its own: both drivers
// send a byte array as it is, while in an array literal it would go as hex.
export function insertEvents(batches: readonly ChunkBatch[]): { text: string; values: unknown[] } {
  const jobIds: string[] = [];
  const seqs: number[] = [];
  const times: string[] = [];
  const streams: string[] = [];
  const texts: (string | null)[] = [];
  const sizes: (number | null)[] = [];
  const packed: (Buffer | null)[] = [];
  for (const { jobId, chunks } of batches) {
    for (const chunk of chunks) {
      jobIds.push(jobId);
      seqs.push(chunk.seq);
      times.push(isoTime(chunk.ts));
      streams.push(chunk.stream);
      const stored = isCheckedChunk(chunk) ? pack(chunk.text, utf8Of(chunk)) : pack(cleanText(chunk.text));
      texts.push('text' in stored ? stored.text : null);
      sizes.push('text' in stored ? null : stored.size);
      packed.push('text' in stored ? null : stored.packed);
    }
  }
  const values: unknown[] = [jobIds, seqs, times, streams, sizes];
  const param = (value: unknown, type: string): string => `$${values.push(value)}::${type}`;
  const apart = texts.length <= TEXTS_APART_MAX_ROWS;
  const textArray = apart ? `ARRAY[${texts.map((t) => (t === null ? 'NULL::text' : param(t, 'text'))).join(', ')}]` : param(texts, 'text[]');
  const packedArray = packed.some((p) => p !== null) ? `ARRAY[${packed.map((p) => (p === null ? 'NULL::bytea' : param(p, 'bytea'))).join(', ')}]` : 'NULL::bytea[]';
  const text = `WITH input (job_id, seq, ts, stream, size, chunk, packed) AS (
      SELECT * FROM unnest($1::uuid[], $2::integer[], $3::timestamptz[], $4::text[], $5::integer[], ${textArray}, ${packedArray})
    ), inserted AS (
      INSERT INTO job_events (job_id, seq, ts, stream, size, chunk, packed)
      SELECT job_id, seq, ts, stream, size, chunk, packed FROM input WHERE EXISTS (SELECT 1 FROM jobs WHERE jobs.id = input.job_id)
      ON CONFLICT (job_id, seq) DO NOTHING
      RETURNING job_id, seq
    ), touched AS (
      UPDATE jobs SET last_seq = GREATEST(jobs.last_seq, top.seq), updated_at = now()
      FROM (SELECT job_id, max(seq) AS seq FROM inserted GROUP BY job_id) AS top
      WHERE jobs.id = top.job_id
    )
    SELECT count(*) AS inserted FROM inserted`;
  return { text, values };
}

// A chunk's time as epoch milliseconds, a float8 that both drivers return as a number: reading a
// page of 1000 one-line chunks took about a quarter less time than with timestamptz, which pg parses into
// a Date per row. Truncated to the millisecond first, so that round() only removes the float error
// of PostgreSQL 13's double-precision extract().
const EPOCH_MS = epochMs('ts');

/** The largest value of the integer `seq` column: "before the end" of any job. */
const SEQ_END = 2 ** 31 - 1;

// One page of a job's output next to a seq: forward (seq >= from) or backward (seq <= through). The
// running sum of chunk sizes, taken in the direction of reading, stops the page once it holds
// maxBytes (the first chunk read always comes, however large); the inner LIMIT bounds how far the
// scan goes. Either way the rows come back in order of seq.
function selectPage(jobId: string, seq: number, backward: boolean, page: EventPage): { text: string; values: unknown[] } {
  const limit = page.limit ?? DEFAULT_LIMIT;
  const maxBytes = page.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`Expected a positive integer limit, got ${JSON.stringify(limit)}`);
  if (!(maxBytes > 0)) throw new Error(`Expected maxBytes above 0, got ${JSON.stringify(maxBytes)}`);
  const [bound, order] = backward ? ['<=', 'DESC'] : ['>=', 'ASC'];
  const text = `SELECT seq, ${EPOCH_MS} AS ts, stream, chunk, packed FROM (
      SELECT seq, ts, stream, chunk, packed, bytes, sum(bytes) OVER (ORDER BY seq ${order}) AS upto
      FROM (SELECT *, coalesce(size, octet_length(chunk)) AS bytes FROM job_events) AS sized
      WHERE job_id = $1 AND seq ${bound} $2 ORDER BY seq ${order} LIMIT $3
    ) AS page
    WHERE upto - bytes < $4
    ORDER BY seq`;
  return { text, values: [jobId, Math.min(SEQ_END, Math.max(-1, Math.floor(seq))), limit, Math.min(maxBytes, Number.MAX_SAFE_INTEGER)] };
}

/** One page of a job's output from `fromSeq` on. */
export function selectEvents(jobId: string, fromSeq: number, page: EventPage = {}): { text: string; values: unknown[] } {
  return selectPage(jobId, Math.max(0, fromSeq), false, page);
}

/** One page of a job's output just before `beforeSeq` (its end when undefined): the chunks nearest to it that fit. */
export function selectEventsBefore(jobId: string, beforeSeq: number | undefined, page: EventPage = {}): { text: string; values: unknown[] } {
  return selectPage(jobId, beforeSeq === undefined ? SEQ_END : beforeSeq - 1, true, page);
}
