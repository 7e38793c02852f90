import { isActive, type JobInfo, type JobKind, type JobMode, type JobStatus } from '../../shared/jobs';
import { formatCommand } from '../../shared/format';
import { cleanText } from '../../shared/schemaFields';
import type { JobOwner, StoredJob } from './jobStore';

/** A timestamptz column as epoch milliseconds, a float8 that both drivers return as a number (PGlite parses a Date of a year before 100 wrongly). */
export const epochMs = (column: string): string => `round(extract(epoch FROM date_trunc('milliseconds', ${column})) * 1000)::float8`;

// The columns every job query selects, in the shape toStoredJob() reads. The times get names of
// their own: ORDER BY started_at must still mean the column, which the indexes hold.
export const JOB_COLUMNS = `id, kind, mode, title, argv, command, cwd, alias, target, args, vm, parent_id, hostname, reporter, status,
  ${epochMs('started_at')} AS started_ms, ${epochMs('finished_at')} AS finished_ms, exit_code, signal, duration_ms, last_seq, error_count, warning_count`;

/** A jobs row as both drivers return it (bigint may come as a string, timestamps as Date). */
export interface JobRow {
  id: string;
  kind: JobKind;
  mode: JobMode;
  title: string;
  argv: string[];
  command: string;
  cwd: string | null;
  alias: string | null;
  target: string | null;
  args: string[] | null;
  vm: string | null;
  parent_id: string | null;
  hostname: string;
  reporter: string | null;
  status: JobStatus;
  started_ms: number;
  finished_ms: number | null;
  exit_code: number | null;
  signal: string | null;
  duration_ms: number | string | bigint | null;
  last_seq: number | null;
  error_count: number | null;
  warning_count: number | null;
}

/** Epoch ms, rounded as the schema rounds them, as the ISO text both drivers pass to timestamptz unchanged. */
export function isoTime(ms: number): string {
  return new Date(Math.round(ms)).toISOString();
}

// A row back into the job model: absent optional fields stay absent, and a finished job carries
// exitCode and signal even when they are null (killed by a signal, or interrupted).
export function toStoredJob(row: JobRow): StoredJob {
  const job: StoredJob = {
    id: row.id,
    kind: row.kind,
    mode: row.mode,
    title: row.title,
    argv: row.argv,
    command: row.command,
    hostname: row.hostname,
    startedAt: row.started_ms,
    status: row.status,
  };
  if (row.cwd !== null) job.cwd = row.cwd;
  if (row.alias !== null) job.alias = row.alias;
  if (row.target !== null) job.target = row.target;
  if (row.args !== null) job.args = row.args;
  if (row.vm !== null) job.vm = row.vm;
  if (row.parent_id !== null) job.parentId = row.parent_id;
  if (row.reporter !== null) job.reporter = row.reporter;
  if (row.last_seq !== null) job.lastSeq = row.last_seq;
  if (row.finished_ms !== null) job.finishedAt = row.finished_ms;
  if (!isActive(row.status)) {
    job.exitCode = row.exit_code;
    job.signal = row.signal;
  }
  if (row.duration_ms !== null) job.durationMs = Number(row.duration_ms);
  if (row.error_count !== null && row.warning_count !== null) {
    job.errors = row.error_count;
    job.warnings = row.warning_count;
  }
  return job;
}

/** Text for a nullable column: cleaned, or null when absent. */
export const optionalText = (text: string | undefined): string | null => (text === undefined ? null : cleanText(text));

/** Who may report a job (JobOwner) besides its reporter: selected only where the hub decides that, never into a StoredJob. */
export const OWNER_KEY_COLUMN = 'owner_key_sha256';

/** A jobs row with its owner's key hash (bytea: a Buffer from pg, a Uint8Array from PGlite). */
export interface OwnedJobRow extends JobRow {
  owner_key_sha256: Uint8Array | null;
}

/** The owner of a row read with OWNER_KEY_COLUMN. */
export function toJobOwner(row: OwnedJobRow): JobOwner {
  const key = row.owner_key_sha256;
  return { keyHash: key === null ? null : Buffer.from(key.buffer, key.byteOffset, key.byteLength), ...(row.reporter === null ? {} : { reporter: row.reporter }) };
}

// The INSERT of a new job, owned by `keyHash` when given; the project and VM are linked by alias
// and `<environment>/<name>` when they have been synced (else a later catalog report links them).
// A job already stored keeps its owner and is left as it is: with `claim`, always, and it returns
// the id of a job it stored; else (a replayed start) except that a queued one that now runs says
// so, and since when.
export function insertJob(job: JobInfo, reporter: string | undefined, keyHash?: Buffer, claim = false): { text: string; values: unknown[] } {
  const argv = job.argv.map(cleanText);
  const slash = job.vm?.indexOf('/') ?? -1;
  const values = [
    job.id,
    job.kind,
    job.mode,
    cleanText(job.title),
    argv,
    formatCommand(argv),
    optionalText(job.cwd),
    optionalText(job.alias),
    optionalText(job.target),
    job.args ? job.args.map(cleanText) : null,
    optionalText(job.vm),
    cleanText(job.hostname),
    optionalText(reporter),
    job.status,
    isoTime(job.startedAt),
    job.finishedAt === undefined ? null : isoTime(job.finishedAt),
    job.exitCode ?? null,
    job.signal ?? null,
    job.durationMs === undefined ? null : Math.round(job.durationMs),
    slash > 0 ? job.vm!.slice(0, slash) : null,
    slash > 0 ? job.vm!.slice(slash + 1) : null,
    job.parentId ?? null,
    keyHash ?? null,
  ];
  const conflict = claim
    ? 'DO NOTHING RETURNING id'
    : `DO UPDATE SET status = 'running', started_at = EXCLUDED.started_at, updated_at = now()
      WHERE jobs.status = 'queued' AND EXCLUDED.status = 'running'`;
  const text = `INSERT INTO jobs (id, kind, mode, title, argv, command, cwd, alias, target, args, vm, hostname, reporter, status,
      started_at, finished_at, exit_code, signal, duration_ms, project_id, vm_id, parent_id, owner_key_sha256)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
      (SELECT id FROM projects WHERE alias = $8),
      (SELECT id FROM vms WHERE environment = $20 AND name = $21), $22, $23::bytea)
    ON CONFLICT (id) ${conflict}`;
  return { text, values };
}
