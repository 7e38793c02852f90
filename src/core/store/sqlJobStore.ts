import type { CatalogSnapshot, CatalogTarget } from '../../shared/catalog';
import type { Chunk, JobInfo, JobResult, StreamName } from '../../shared/jobs';
import { selectProjects, selectTargets, selectVms, writeCatalog } from './catalogSql';
import { INT4_MAX, isUuid } from '../../shared/schemaFields';
import { assertChunks, assertJobId, assertJobInfo, assertJobResult } from './checkInput';
import { insertEvents, selectEvents, selectEventsBefore } from './eventSql';
import { unpack } from './packedOutput';
import { insertJob, isoTime, JOB_COLUMNS, OWNER_KEY_COLUMN, toJobOwner, toStoredJob, type JobRow, type OwnedJobRow } from './jobRows';
import type {
  ChunkBatch,
  EventPage,
  InterruptFilter,
  JobClaim,
  JobPage,
  JobQuery,
  JobStore,
  MigrationReport,
  OwnedJob,
  PruneOptions,
  StoredJob,
  StoredProject,
  StoredVm,
} from './jobStore';
import { buildListQuery, encodeCursor, pageLimit } from './listQuery';
import { findMigrationsDir, loadMigrations, runMigrations } from './migrations';
import type { SqlClient } from './sqlClient';

// The JobStore queries, written once for any SqlClient; PgliteJobStore and PostgresJobStore only
// differ in how they open and close the database.
export class SqlJobStore implements JobStore {
  private closing: Promise<void> | undefined;

  constructor(protected readonly db: SqlClient) {}

  async migrate(): Promise<MigrationReport> {
    return runMigrations(this.db, await loadMigrations(findMigrationsDir()));
  }

  syncCatalog(snapshot: CatalogSnapshot): Promise<void> {
    return this.db.transaction((tx) => writeCatalog(tx, snapshot));
  }

  listProjects(): Promise<StoredProject[]> {
    return selectProjects(this.db);
  }

  listTargets(alias: string): Promise<CatalogTarget[] | undefined> {
    return selectTargets(this.db, alias);
  }

  listVms(): Promise<StoredVm[]> {
    return selectVms(this.db);
  }

  async jobStarted(job: JobInfo, reporter?: string, keyHash?: Buffer): Promise<void> {
    assertJobInfo(job);
    const { text, values } = insertJob(job, reporter, keyHash);
    await this.db.query(text, values);
  }

  async claimJob(job: JobInfo, reporter?: string, keyHash?: Buffer): Promise<JobClaim> {
    assertJobInfo(job);
    const { text, values } = insertJob(job, reporter, keyHash, true);
    // A job deleted between the two statements (jobs:delete, retention) is claimed anew.
    for (let attempt = 0; attempt < 3; attempt++) {
      if ((await this.db.query(text, values)).rows.length > 0) return { created: true };
      const stored = await this.getOwnedJob(job.id);
      if (stored) return { created: false, ...stored };
    }
    throw new Error(`Job ${job.id} was deleted each time it was started again`);
  }

  async getOwnedJob(id: string): Promise<OwnedJob | undefined> {
    if (!isUuid(id)) return undefined;
    const { rows } = await this.db.query<OwnedJobRow>(`SELECT ${JOB_COLUMNS}, ${OWNER_KEY_COLUMN} FROM jobs WHERE id = $1`, [id]);
    return rows.length > 0 ? { job: toStoredJob(rows[0]), owner: toJobOwner(rows[0]) } : undefined;
  }

  appendChunks(jobId: string, chunks: readonly Chunk[]): Promise<number> {
    return this.appendBatch([{ jobId, chunks: [...chunks] }]);
  }

  async appendBatch(batches: readonly ChunkBatch[]): Promise<number> {
    for (const batch of batches) {
      assertJobId(batch.jobId);
      assertChunks(batch.chunks);
    }
    if (batches.every((b) => b.chunks.length === 0)) return 0;
    const { text, values } = insertEvents(batches);
    const { rows } = await this.db.query<{ inserted: number | string }>(text, values);
    return Number(rows[0].inserted);
  }

  // Sets the same values however often it runs: a retry of an end that did commit (its answer lost)
  // changes nothing. An end as interrupted ends only a job still under way: it is what a spool
  // without an end says (orphanSpools.ts), and a job may have ended since, reported from elsewhere.
  async jobFinished(jobId: string, result: JobResult): Promise<void> {
    assertJobId(jobId);
    assertJobResult(result);
    await this.db.query(
      `UPDATE jobs SET status = $2, exit_code = $3, signal = $4, duration_ms = $5, finished_at = $6, error_count = $7, warning_count = $8, updated_at = now()
        WHERE id = $1 AND ($2 <> 'interrupted' OR status IN ('queued', 'running'))`,
      [jobId, result.status, result.exitCode, result.signal, Math.round(result.durationMs), isoTime(result.finishedAt), result.errors ?? null, result.warnings ?? null],
    );
  }

  async markInterrupted(filter: InterruptFilter): Promise<string[]> {
    const [condition, value] = 'reporter' in filter
      ? ['reporter = $1', filter.reporter]
      : ["updated_at <= now() - $1::float8 * interval '1 millisecond'", filter.olderThanMs];
    const { rows } = await this.db.query<{ id: string }>(
      `UPDATE jobs SET status = 'interrupted', finished_at = now(), updated_at = now(),
          duration_ms = GREATEST(0, round(extract(epoch FROM now() - started_at) * 1000))
        WHERE status IN ('queued', 'running') AND ${condition} RETURNING id`,
      [value],
    );
    return rows.map((r) => r.id);
  }

  async getJob(id: string): Promise<StoredJob | undefined> {
    if (!isUuid(id)) return undefined;
    const { rows } = await this.db.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = $1`, [id]);
    return rows.length > 0 ? toStoredJob(rows[0]) : undefined;
  }

  async listJobs(query: JobQuery = {}): Promise<JobPage> {
    const { text, values } = buildListQuery(query);
    const { rows } = await this.db.query<JobRow>(text, values);
    const jobs = rows.slice(0, pageLimit(query)).map(toStoredJob);
    if (rows.length <= jobs.length) return { jobs };
    const last = jobs[jobs.length - 1];
    return { jobs, nextCursor: encodeCursor({ startedAt: last.startedAt, id: last.id }) };
  }

  readEvents(jobId: string, fromSeq: number, page?: EventPage): Promise<Chunk[]> {
    // Past the largest seq there is nothing: a reader paging on from a chunk at INT4_MAX must end.
    return isUuid(jobId) && fromSeq <= INT4_MAX ? this.readChunks(selectEvents(jobId, fromSeq, page)) : Promise.resolve([]);
  }

  readEventsBefore(jobId: string, beforeSeq: number | undefined, page?: EventPage): Promise<Chunk[]> {
    return isUuid(jobId) ? this.readChunks(selectEventsBefore(jobId, beforeSeq, page)) : Promise.resolve([]);
  }

  async deleteJob(id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const { rowCount } = await this.db.query('DELETE FROM jobs WHERE id = $1', [id]);
    return rowCount > 0;
  }

  async prune(options: PruneOptions): Promise<number> {
    let deleted = 0;
    if (options.maxAgeDays !== undefined) {
      const { rowCount } = await this.db.query(
        `DELETE FROM jobs WHERE status NOT IN ('queued', 'running') AND started_at < now() - $1::float8 * interval '1 day'`,
        [options.maxAgeDays],
      );
      deleted += rowCount;
    }
    if (options.maxJobs !== undefined) {
      const { rowCount } = await this.db.query(
        `DELETE FROM jobs WHERE status NOT IN ('queued', 'running') AND id IN (SELECT id FROM jobs ORDER BY started_at DESC, id DESC OFFSET $1)`,
        [Math.max(0, Math.floor(options.maxJobs))],
      );
      deleted += rowCount;
    }
    return deleted;
  }

  private async readChunks(query: { text: string; values: unknown[] }): Promise<Chunk[]> {
    const { rows } = await this.db.query<{ seq: number; ts: number; stream: StreamName; chunk: string | null; packed: Uint8Array | null }>(query.text, query.values);
    return rows.map((r) => ({ seq: r.seq, ts: r.ts, stream: r.stream, text: unpack(r.chunk, r.packed) }));
  }

  /** Closes the database once, however often it is called; awaits the driver's close. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  protected shutdown(): Promise<void> {
    return this.db.close();
  }
}
