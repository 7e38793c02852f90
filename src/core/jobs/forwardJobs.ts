import { setImmediate as nextTurn } from 'node:timers/promises';
import { isActive, problemCounts, type Chunk, type JobInfo, type JobResult } from '../../shared/jobs';
import { chunkPages } from './consoleFeed';
import type { InMemoryRecorder } from './inMemoryRecorder';
import type { JobRecorder } from './recorder';

/** Forwarding under way: `stop()` ends it; `caughtUp` settles once the jobs recorded before it began have been passed on whole. */
export interface Forwarding {
  stop(): void;
  caughtUp: Promise<void>;
}

// Passes everything the window's recorder sees on to another recorder (the hub reporter), so
// the jobs of this window are stored and watched elsewhere without the runner knowing. Jobs the
// recorder already holds (run before the hub was reached) are passed on too, output and all,
// a page at a time with a turn of the event loop between pages: a window that reaches its hub
// after a 100 MB job spent about 2 s of its extension host doing it in one go. A job's new
// output and its end wait until its recorded output has gone. A job that waited for its VM is
// reported started twice: `queued`, then `running` as it begins.
export function forwardJobs(from: InMemoryRecorder, to: JobRecorder): Forwarding {
  /** The status each job was last reported started with. */
  const reported = new Map<string, 'queued' | 'running'>();
  /** Jobs whose recorded output is still being passed on, as they are now. */
  const backlog = new Map<string, JobInfo>();
  let stopped = false;
  const start = (job: JobInfo): void => {
    const status = job.status === 'queued' ? 'queued' : 'running';
    if (reported.get(job.id) === status) return;
    reported.set(job.id, status);
    to.started({ ...job, status });
  };
  const finish = (job: JobInfo): void => {
    reported.delete(job.id);
    to.finished(job.id, resultOf(job));
  };
  const onJob = (job: JobInfo): void => {
    if (backlog.has(job.id)) {
      backlog.set(job.id, job);
      if (isActive(job.status)) start(job);
      return;
    }
    if (isActive(job.status) || !reported.has(job.id)) start(job);
    if (!isActive(job.status)) finish(job);
  };
  // A job still in the backlog gets its new output from the recorder, after what it held before.
  const onChunks = (jobId: string, chunks: Chunk[]): void => {
    if (!backlog.has(jobId)) to.chunks(jobId, chunks);
  };

  const passOn = async (): Promise<void> => {
    for (const [id] of backlog) {
      // Pages of about 1 MiB, up to the output recorded by then (a forgotten job has none).
      for (const page of chunkPages(from, id)) {
        if (stopped) return;
        to.chunks(id, page);
        await nextTurn();
      }
      if (stopped) return;
      const job = backlog.get(id)!;
      backlog.delete(id);
      if (!isActive(job.status)) finish(job);
    }
  };

  for (const job of from.list()) {
    start(job);
    backlog.set(job.id, job);
  }
  from.on('job', onJob);
  from.on('chunks', onChunks);
  return {
    caughtUp: passOn(),
    stop: () => {
      stopped = true;
      from.off('job', onJob);
      from.off('chunks', onChunks);
    },
  };
}

function resultOf(job: JobInfo): JobResult {
  return {
    status: isActive(job.status) ? 'interrupted' : job.status,
    exitCode: job.exitCode ?? null,
    signal: job.signal ?? null,
    durationMs: job.durationMs ?? 0,
    finishedAt: job.finishedAt ?? Date.now(),
    ...problemCounts(job),
  };
}
