import { isActive, problemCounts, type Chunk, type JobInfo, type JobResult } from '../../shared/jobs';
import { chunkPages } from './consoleFeed';
import type { InMemoryRecorder } from './inMemoryRecorder';
import type { JobRecorder } from './recorder';

// Passes everything the window's recorder sees on to another recorder (the hub reporter), so
// the jobs of this window are stored and watched elsewhere without the runner knowing. Jobs the
// recorder already holds (run before the hub was reached) are passed on first, output and all.
// A job that waited for its VM is reported started twice: `queued`, then `running` as it begins.
// Returns a function that stops forwarding.
export function forwardJobs(from: InMemoryRecorder, to: JobRecorder): () => void {
  /** The status each job was last reported started with. */
  const reported = new Map<string, 'queued' | 'running'>();
  const start = (job: JobInfo): void => {
    const status = job.status === 'queued' ? 'queued' : 'running';
    if (reported.get(job.id) === status) return;
    reported.set(job.id, status);
    to.started({ ...job, status });
  };
  const onJob = (job: JobInfo): void => {
    if (isActive(job.status) || !reported.has(job.id)) start(job);
    if (!isActive(job.status)) {
      reported.delete(job.id);
      to.finished(job.id, resultOf(job));
    }
  };
  const onChunks = (jobId: string, chunks: Chunk[]): void => to.chunks(jobId, chunks);
  // A page at a time: a job's whole output in one call would be one string of all of it in the
  // reporter's spool, which V8 cannot make beyond 512 MB.
  for (const job of from.list()) {
    start(job);
    for (const page of chunkPages(from, job.id)) to.chunks(job.id, page);
    if (!isActive(job.status)) onJob(job);
  }
  from.on('job', onJob);
  from.on('chunks', onChunks);
  return () => {
    from.off('job', onJob);
    from.off('chunks', onChunks);
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
