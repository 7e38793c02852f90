// Guards for what other parts of the product send (the console and history webviews): the same
// checks the hub applies at its edge, as type guards.
import type { JobStatus, StreamName } from './jobs';
import { JOB_STATUSES, parseChunk, parseJobInfo, parseJobQuery, STREAM_NAMES } from './schema';
import { type Parsed } from './schemaFields';

const accepts =
  <T>(parser: (v: unknown) => Parsed<T>) =>
  (v: unknown): v is T =>
    parser(v).ok;

export const isJobInfo = accepts(parseJobInfo);
export const isChunk = accepts(parseChunk);
export const isJobQuery = accepts(parseJobQuery);
export const isStreamName = (v: unknown): v is StreamName => typeof v === 'string' && (STREAM_NAMES as readonly string[]).includes(v);
export const isJobStatus = (v: unknown): v is JobStatus => typeof v === 'string' && (JOB_STATUSES as readonly string[]).includes(v);
