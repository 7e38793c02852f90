import type { Chunk, JobInfo, JobResult } from '../../shared/jobs';
import { allChunks } from './consoleFeed';
import type { InMemoryRecorder } from './inMemoryRecorder';
import type { JobRecorder } from './recorder';

// Passes everything the window's recorder sees on to another recorder (the hub reporter), so
// the jobs of this window are stored and watched elsewhere without the runner knowing. Jobs the
// recorder already holds (run before the hub was reached) are passed on first, output and all.
// Returns a function that stops forwarding.
export function forwardJobs(from: InMemoryRecorder, to: JobRecorder): () => void {
  const reported = new Set<string>();
  const onJob = (job: JobInfo): void => {
    if (!reported.has(job.id)) {
      reported.add(job.id);
      to.started({ ...job, status: 'running' });
    }
    if (job.status !== 'running') {
      reported.delete(job.id);
      to.finished(job.id, resultOf(job));
    }
  };
  const onChunks = (jobId: string, chunks: Chunk[]): void => to.chunks(jobId, chunks);
  for (const job of from.list()) {
    reported.add(job.id);
    to.started({ ...job, status: 'running' });
    const chunks = [...allChunks(from, job.id)];
    if (chunks.length > 0) to.chunks(job.id, chunks);
    if (job.status !== 'running') onJob(job);
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
    status: job.status === 'running' ? 'interrupted' : job.status,
    exitCode: job.exitCode ?? null,
    signal: job.signal ?? null,
    durationMs: job.durationMs ?? 0,
    finishedAt: job.finishedAt ?? Date.now(),
  };
}
