import type { Chunk, JobInfo, JobResult } from '../../shared/jobs';

// Bad input is refused here, before it is queued: a row the database would reject would
// otherwise be retried forever and hold up every write queued behind it.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KINDS = new Set(['target', 'terminal', 'ssh-logs', 'remote-command']);
const MODES = new Set(['console', 'terminal']);
const FINAL_STATUSES = new Set(['success', 'failed', 'canceled', 'interrupted']);
const STATUSES = new Set(['running', ...FINAL_STATUSES]);
const STREAMS = new Set(['stdout', 'stderr', 'system']);
const MAX_SEQ = 2 ** 31 - 1;

/** True for the textual form of a UUID, the only job id the database accepts. */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}

// PostgreSQL text cannot hold NUL (U+0000), and UTF-8 cannot hold a lone UTF-16 surrogate: NULs
// are removed and lone surrogates become U+FFFD, the same on PGlite and PostgreSQL.
export function cleanText(text: string): string {
  const noNul = text.includes('\0') ? text.replaceAll('\0', '') : text;
  return (noNul as unknown as { toWellFormed(): string }).toWellFormed();
}

/** Throws when `id` is not a UUID. */
export function assertJobId(id: string): void {
  if (typeof id !== 'string' || !isUuid(id)) throw new Error(`Expected a job id that is a UUID, got ${JSON.stringify(id)}`);
}

function assertTime(name: string, ms: unknown): void {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new Error(`Expected ${name} in milliseconds, got ${JSON.stringify(ms)}`);
}

function assertOneOf(name: string, allowed: Set<string>, value: unknown): void {
  if (typeof value !== 'string' || !allowed.has(value)) throw new Error(`Expected ${name} to be one of ${[...allowed].join(', ')}, got ${JSON.stringify(value)}`);
}

/** Throws when a job record could not be stored as it is. */
export function assertJobInfo(job: JobInfo): void {
  assertJobId(job.id);
  assertOneOf('kind', KINDS, job.kind);
  assertOneOf('mode', MODES, job.mode);
  assertOneOf('status', STATUSES, job.status);
  assertTime('startedAt', job.startedAt);
  if (job.finishedAt !== undefined) assertTime('finishedAt', job.finishedAt);
  if (job.durationMs !== undefined) assertTime('durationMs', job.durationMs);
  assertExitCode(job.exitCode);
  if (!Array.isArray(job.argv) || job.argv.some((a) => typeof a !== 'string')) throw new Error(`Expected argv to be a list of strings, got ${JSON.stringify(job.argv)}`);
}

/** Throws when a chunk could not be stored as it is. */
export function assertChunks(chunks: readonly Chunk[]): void {
  for (const chunk of chunks) {
    if (!Number.isInteger(chunk.seq) || chunk.seq < 0 || chunk.seq > MAX_SEQ) throw new Error(`Expected seq to be an integer from 0 to ${MAX_SEQ}, got ${JSON.stringify(chunk.seq)}`);
    assertTime('ts', chunk.ts);
    assertOneOf('stream', STREAMS, chunk.stream);
    if (typeof chunk.text !== 'string') throw new Error(`Expected chunk text to be a string, got ${typeof chunk.text}`);
  }
}

/** Throws when a result could not be stored as it is. */
export function assertJobResult(result: JobResult): void {
  assertOneOf('final status', FINAL_STATUSES, result.status);
  assertTime('finishedAt', result.finishedAt);
  if (!Number.isFinite(result.durationMs)) throw new Error(`Expected durationMs to be a number, got ${JSON.stringify(result.durationMs)}`);
  assertExitCode(result.exitCode);
}

function assertExitCode(code: number | null | undefined): void {
  if (code !== null && code !== undefined && !Number.isSafeInteger(code)) throw new Error(`Expected exitCode to be an integer or null, got ${JSON.stringify(code)}`);
}
