import type { Chunk, JobInfo, JobResult } from '../../shared/jobs';
import { isCheckedChunk, parseChunk, parseJobInfo, parseJobResult } from '../../shared/schema';
import { isUuid, type Parsed } from '../../shared/schemaFields';

// The store checks what it is given against the same schema as the hub's edge, for callers that
// write to it directly: a row the database would refuse is refused here, before it is queued.

/** A value the store cannot hold: refused for good, never worth a retry. */
export class InvalidInput extends Error {}

function assertParsed(parsed: Parsed<unknown>): void {
  if (!parsed.ok) throw new InvalidInput(parsed.error);
}

/** Throws when `id` is not a UUID. */
export function assertJobId(id: string): void {
  if (!isUuid(id)) throw new InvalidInput(`Expected a job id that is a UUID, got ${JSON.stringify(id)}`);
}

/** Throws when a job record could not be stored as it is. */
export const assertJobInfo = (job: JobInfo): void => assertParsed(parseJobInfo(job));

/** Throws when a chunk could not be stored as it is. */
export function assertChunks(chunks: readonly Chunk[]): void {
  for (const chunk of chunks) if (!isCheckedChunk(chunk)) assertParsed(parseChunk(chunk));
}

/** Throws when a result could not be stored as it is. */
export const assertJobResult = (result: JobResult): void => assertParsed(parseJobResult(result));
