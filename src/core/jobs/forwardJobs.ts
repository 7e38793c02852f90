import type { Chunk, JobInfo, JobResult } from '../../shared/jobs';
import type { InMemoryRecorder } from './inMemoryRecorder';
import type { JobRecorder } from './recorder';

// Passes everything the window's recorder sees on to another recorder (the hub reporter), so
// the jobs of this window are stored and watched elsewhere without the runner knowing.
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
