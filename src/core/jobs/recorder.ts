import type { Chunk, JobInfo, JobResult } from '../../shared/jobs';

// Where a running job is reported: the in-memory list of this window, the hub, a spool file.
// Chunks come in order of seq, without gaps; `finished` comes once, after the last chunk.
export interface JobRecorder {
  started(job: JobInfo): void;
  chunks(jobId: string, chunks: Chunk[]): void;
  finished(jobId: string, result: JobResult): void;
}
