import type { CatalogProject, CatalogSnapshot, CatalogTarget, CatalogVm } from '../../shared/catalog';
import type { Chunk, JobInfo, JobQuery, JobResult } from '../../shared/jobs';

/** A project of the catalog as stored; its targets are read with listTargets(). */
export interface StoredProject extends Omit<CatalogProject, 'targets'> {
  /** When a catalog report last named it, epoch milliseconds. */
  lastSynced: number;
}

/** A VM of the catalog as stored. */
export interface StoredVm extends CatalogVm {
  /** When a catalog report last named it, epoch milliseconds. */
  lastSynced: number;
}

/** A stored job: what was reported, plus what the store knows about it. */
export interface StoredJob extends JobInfo {
  /** argv quoted for display; what the text search looks in. */
  command: string;
  /** The window or client that reported the job. */
  reporter?: string;
  /** The highest seq stored; absent before the first chunk. */
  lastSeq?: number;
}

/**
 * Who may report a job: the SHA-256 of the key of the reporter that started it (null for a job
 * started without a key), and the reporter id it was stored with. Set once, by the job's first
 * start, and never changed. Never part of a StoredJob, so no answer of the hub carries it.
 */
export interface JobOwner {
  keyHash: Buffer | null;
  reporter?: string;
}

/** A stored job and who may report it. */
export interface OwnedJob {
  job: StoredJob;
  owner: JobOwner;
}

/** What claimJob() found: the job stored now, by this start; or the job stored before, with its owner. */
export type JobClaim = { created: true } | ({ created: false } & OwnedJob);

/** Output of several jobs written in one statement. */
export interface ChunkBatch {
  jobId: string;
  chunks: Chunk[];
}

/** Which running jobs to end as `interrupted`: those of one reporter, or those silent for a while. */
export type InterruptFilter = { reporter: string } | { olderThanMs: number };

/** A history query (defined with the job model: the hub and the HTTP API take the same). */
export type { JobQuery } from '../../shared/jobs';

/** One page of history, newest first; `nextCursor` is absent on the last page. */
export interface JobPage {
  jobs: StoredJob[];
  nextCursor?: string;
}

/** How much output one read returns: at most `limit` chunks and about `maxBytes` (at least one chunk). */
export interface EventPage {
  /** Default 1000. */
  limit?: number;
  /** UTF-8 bytes of chunk text; default 4 MiB. */
  maxBytes?: number;
}

/** Retention: finished jobs older than `maxAgeDays`, and beyond the newest `maxJobs`, are deleted. */
export interface PruneOptions {
  maxAgeDays?: number;
  maxJobs?: number;
}

/** What migrate() did: the versions it applied now, and the version the database is at. */
export interface MigrationReport {
  applied: number[];
  version: number;
}

// The job history, on PGlite or PostgreSQL alike: what the hub writes jobs to and reads them from.
// Writes are idempotent, so a reporter may replay what it is unsure was stored.
export interface JobStore {
  /** UTF-8 bytes of output the store takes best in one statement, where it knows (BatchWriter's maxBytes). */
  readonly statementBytes?: number;
  /** Brings the schema up to date; refuses a database migrated by a newer version. */
  migrate(): Promise<MigrationReport>;
  /**
   * Makes the stored projects, targets and VMs equal to what discovery saw: those named are
   * inserted or updated, the others deleted (their jobs are kept, unlinked). Jobs that name a
   * project (by alias) or VM (`<environment>/<name>`) now present are linked to it.
   */
  syncCatalog(snapshot: CatalogSnapshot): Promise<void>;
  /** Every project, by alias. */
  listProjects(): Promise<StoredProject[]>;
  /** A project's targets in listed order; undefined when there is no such project. */
  listTargets(alias: string): Promise<CatalogTarget[] | undefined>;
  /** Every VM, by environment and name. */
  listVms(): Promise<StoredVm[]>;
  /**
   * Records a job, owned by `keyHash` (the SHA-256 of its reporter's key) when given; a second
   * report of the same id changes nothing but a queued job that now runs, and never its owner.
   */
  jobStarted(job: JobInfo, reporter?: string, keyHash?: Buffer): Promise<void>;
  /**
   * Records a job as jobStarted() does unless it is stored already, then answers which: a job stored
   * before is returned with its owner, unchanged, for the caller to decide whether this start may
   * go on (it then reports it again through jobStarted()).
   */
  claimJob(job: JobInfo, reporter?: string, keyHash?: Buffer): Promise<JobClaim>;
  /** A stored job with who may report it; undefined when there is none. */
  getOwnedJob(id: string): Promise<OwnedJob | undefined>;
  /** Stores output; chunks already stored (same job and seq) are skipped. Returns how many were new. */
  appendChunks(jobId: string, chunks: readonly Chunk[]): Promise<number>;
  /** The same for several jobs in one statement (what BatchWriter flushes). */
  appendBatch(batches: readonly ChunkBatch[]): Promise<number>;
  jobFinished(jobId: string, result: JobResult): Promise<void>;
  /** Ends matching running jobs as `interrupted`; returns their ids. */
  markInterrupted(filter: InterruptFilter): Promise<string[]>;
  getJob(id: string): Promise<StoredJob | undefined>;
  listJobs(query?: JobQuery): Promise<JobPage>;
  /** Output from `fromSeq` on, in order of seq. */
  readEvents(jobId: string, fromSeq: number, page?: EventPage): Promise<Chunk[]>;
  /**
   * Output just before `beforeSeq`, or the end of the job when it is undefined: the chunks nearest
   * to it that fit the page, in order of seq. What a finished job's first screen shows, and
   * scrolling up from there.
   */
  readEventsBefore(jobId: string, beforeSeq: number | undefined, page?: EventPage): Promise<Chunk[]>;
  /** Deletes a job and its output; false when there was none. */
  deleteJob(id: string): Promise<boolean>;
  /** Applies retention (running jobs are kept); returns how many jobs were deleted. */
  prune(options: PruneOptions): Promise<number>;
  close(): Promise<void>;
}
