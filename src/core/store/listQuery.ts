import { isUuid } from '../../shared/schemaFields';
import { isoTime, JOB_COLUMNS } from './jobRows';
import type { JobQuery } from './jobStore';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;

/** Where a page ended: the last job's start time and id (jobs are ordered by both, newest first). */
interface Cursor {
  startedAt: number;
  id: string;
}

// Cursors are opaque to callers; `<epoch ms>.<uuid>` is enough, since start times are stored
// with millisecond precision.
export function encodeCursor(cursor: Cursor): string {
  return `${cursor.startedAt}.${cursor.id}`;
}

function decodeCursor(text: string): Cursor {
  const dot = text.indexOf('.');
  const startedAt = Number(text.slice(0, dot));
  const id = text.slice(dot + 1);
  if (dot < 1 || !Number.isSafeInteger(startedAt) || !isUuid(id)) throw new Error(`Expected a cursor returned by listJobs, got ${JSON.stringify(text)}`);
  return { startedAt, id };
}

/** `text` as a LIKE pattern that matches it literally anywhere. */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The page size a query asks for, within bounds. */
export function pageLimit(query: JobQuery): number {
  const limit = query.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new Error(`Expected a limit from 1 to ${MAX_LIMIT}, got ${JSON.stringify(limit)}`);
  return limit;
}

// The SELECT of one history page: the filters, then keyset paging on (started_at, id) so that a
// page never repeats or skips a job even while new jobs arrive. One row more than the page is
// read to know whether another page follows.
export function buildListQuery(query: JobQuery): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const param = (value: unknown): string => {
    values.push(value);
    return `$${values.length}`;
  };
  const where: string[] = [];
  if (query.status !== undefined) {
    const statuses = [query.status].flat();
    // One status as a plain equality: against `= ANY(array)` PostgreSQL 15 cannot read an index on
    // (alias, status, started_at, id) in order, and sorts every match of the filter instead.
    where.push(statuses.length === 1 ? `status = ${param(statuses[0])}` : `status = ANY(${param(statuses)}::text[])`);
  }
  if (query.kind !== undefined) {
    // As isOfKind: "terminal" lists every job that ran in a terminal.
    const kind = `kind = ${param(query.kind)}`;
    where.push(query.kind === 'terminal' ? `(${kind} OR mode = 'terminal')` : kind);
  }
  if (query.alias !== undefined) where.push(`alias = ${param(query.alias)}`);
  if (query.vm !== undefined) where.push(`vm = ${param(query.vm)}`);
  if (query.text) where.push(`command ILIKE ${param(containsPattern(query.text))}`);
  if (query.from !== undefined) where.push(`started_at >= ${param(isoTime(query.from))}`);
  if (query.to !== undefined) where.push(`started_at < ${param(isoTime(query.to))}`);
  if (query.cursor !== undefined) {
    const cursor = decodeCursor(query.cursor);
    where.push(`(started_at, id) < (${param(isoTime(cursor.startedAt))}::timestamptz, ${param(cursor.id)}::uuid)`);
  }
  const text = `SELECT ${JOB_COLUMNS} FROM jobs
    ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY started_at DESC, id DESC LIMIT ${param(pageLimit(query) + 1)}`;
  return { text, values };
}
