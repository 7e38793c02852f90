// The rows of a history table as pages arrive and jobs start and end: newest first (by start
// time, then id, as the store pages them), each job once.
import type { HubJob } from '../../../src/shared/hubProtocol';
import { isActive, type JobQuery } from '../../../src/shared/jobs';
import { matchesQuery } from './query';
import type { JobChange, JobEnded } from './source';

/** The store's order: later start first, then the larger id. */
export function newerFirst(a: HubJob, b: HubJob): number {
  return b.startedAt - a.startedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** `rows` followed by the jobs of the next page that are not already there (a live job may be). */
export function appendPage(rows: readonly HubJob[], page: readonly HubJob[]): HubJob[] {
  const seen = new Set(rows.map((j) => j.id));
  return [...rows, ...page.filter((j) => !seen.has(j.id))];
}

/**
 * `rows` with `job` put in, replaced, or taken out as it matches `query` or not. A job older
 * than the last row is left out while more pages follow (`complete` false): the next page
 * brings it, in its place.
 */
export function upsertJob(rows: readonly HubJob[], job: HubJob, query: JobQuery, complete: boolean): HubJob[] {
  const rest = rows.filter((j) => j.id !== job.id);
  if (!matchesQuery(job, query)) return rest.length === rows.length ? (rows as HubJob[]) : rest;
  const at = rest.findIndex((j) => newerFirst(job, j) < 0);
  if (at < 0) return complete || rest.length < rows.length ? [...rest, job] : (rows as HubJob[]);
  return [...rest.slice(0, at), job, ...rest.slice(at)];
}

/** The job as it is once it ended. */
export function endJob(job: HubJob, ended: JobEnded): HubJob {
  const { id: _id, ...result } = ended;
  return { ...job, ...result };
}

/** How many ended jobs are remembered for pages that were read before the end was heard. */
const ENDED_KEPT = 500;

/** Sets `key` as the newest entry of `map`, dropping the oldest beyond ENDED_KEPT. */
function keepNewest<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > ENDED_KEPT) map.delete(map.keys().next().value!);
}

/**
 * The rows of one query: pages appended as they come, jobs that start or end merged in. A page
 * read while a job ended may still show it running, and a job that started may not be stored
 * yet when the first page is read: what was heard live is applied to every page.
 */
export class LiveRows {
  rows: HubJob[] = [];
  /** No page follows the last one read. */
  complete = false;
  private readonly running = new Map<string, HubJob>();
  private readonly ended = new Map<string, JobEnded>();
  /** Jobs heard to start and then to end that no page has had yet: one that did both before it was stored is in no page read meanwhile. */
  private readonly endedLive = new Map<string, HubJob>();

  constructor(private query: JobQuery) {}

  /** Starts over for another query; what was heard live is kept. */
  reset(query: JobQuery): void {
    this.query = query;
    this.rows = [];
    this.complete = false;
  }

  /** Adds the next page. */
  page(jobs: readonly HubJob[], more: boolean): void {
    const latest = jobs.map((job) => {
      // Stored now: its row wins from here on.
      this.endedLive.delete(job.id);
      const ended = isActive(job.status) ? this.ended.get(job.id) : undefined;
      if (ended) return endJob(job, ended);
      // An end is final: a stored one wins over a start heard live.
      if (isActive(job.status)) this.running.set(job.id, job);
      else this.running.delete(job.id);
      return job;
    });
    this.complete = !more;
    let rows = appendPage(this.rows, latest.filter((job) => matchesQuery(job, this.query)));
    for (const job of [...this.running.values(), ...this.endedLive.values()]) rows = upsertJob(rows, job, this.query, this.complete);
    this.rows = rows;
  }

  change(change: JobChange): void {
    if (change.type === 'started') {
      if (this.ended.has(change.job.id)) return;
      this.running.set(change.job.id, change.job);
      this.rows = upsertJob(this.rows, change.job, this.query, this.complete);
      return;
    }
    const { ended } = change;
    keepNewest(this.ended, ended.id, ended);
    const job = this.rows.find((j) => j.id === ended.id) ?? this.running.get(ended.id);
    this.running.delete(ended.id);
    if (!job) return;
    const done = endJob(job, ended);
    keepNewest(this.endedLive, ended.id, done);
    this.rows = upsertJob(this.rows, done, this.query, this.complete);
  }

  /** Takes a deleted job out, so that no later page brings it back from what was heard live. */
  remove(jobId: string): void {
    this.running.delete(jobId);
    this.endedLive.delete(jobId);
    this.rows = this.rows.filter((j) => j.id !== jobId);
  }
}
