import { EventEmitter } from 'node:events';
import { isActive, type Chunk, type JobInfo, type JobResult } from '../../shared/jobs';
import { ChunkLog } from './chunkLog';
import type { JobRecorder } from './recorder';

/** How many jobs are kept and how much of each one's output stays in memory. */
export interface InMemoryRecorderOptions {
  /** Finished jobs beyond this many are forgotten, oldest first; running and queued ones never. Default 50. */
  maxJobs?: number;
  /** Per job; the rest of its output goes to a temporary file (see ChunkLog). Default 1 MiB. */
  memoryBytesPerJob?: number;
  /** Folder of the spill files; default: the system's temporary folder. */
  spillDir?: string;
}

/** What a view listens to: a job started or changed, new output, a job forgotten. */
export interface RecorderEvents {
  job: [job: JobInfo];
  chunks: [jobId: string, chunks: Chunk[]];
  removed: [jobId: string];
}

// The jobs of this window, newest last, with all of their output: what the Jobs view lists and
// what a console opened late reads back from any seq. Reports for an unknown (or forgotten) job
// id are ignored, so a late chunk cannot resurrect a job.
export class InMemoryRecorder extends EventEmitter<RecorderEvents> implements JobRecorder {
  private readonly jobs = new Map<string, { info: JobInfo; log: ChunkLog }>();
  private readonly maxJobs: number;

  constructor(private readonly options: InMemoryRecorderOptions = {}) {
    super();
    this.maxJobs = options.maxJobs ?? 50;
  }

  /** A job began; its first chunk will have `firstSeq` (a stored job replayed from its tail starts past 0). */
  started(job: JobInfo, firstSeq = 0): void {
    this.jobs.get(job.id)?.log.dispose();
    this.jobs.set(job.id, { info: job, log: new ChunkLog({ memoryBytes: this.options.memoryBytesPerJob, dir: this.options.spillDir, firstSeq }) });
    this.emit('job', job);
    this.evict();
  }

  chunks(jobId: string, chunks: Chunk[]): void {
    const entry = this.jobs.get(jobId);
    if (!entry || chunks.length === 0) return;
    entry.log.append(chunks);
    this.emit('chunks', jobId, chunks);
  }

  /** A queued job begins to run, now. */
  began(jobId: string, startedAt: number): void {
    const entry = this.jobs.get(jobId);
    if (entry?.info.status !== 'queued') return;
    entry.info = { ...entry.info, status: 'running', startedAt };
    this.emit('job', entry.info);
  }

  finished(jobId: string, result: JobResult): void {
    const entry = this.jobs.get(jobId);
    if (!entry) return;
    entry.info = { ...entry.info, ...result };
    this.emit('job', entry.info);
    this.evict();
  }

  /** Every job kept, oldest first. */
  list(): JobInfo[] {
    return [...this.jobs.values()].map((e) => e.info);
  }

  get(jobId: string): JobInfo | undefined {
    return this.jobs.get(jobId)?.info;
  }

  /** The seq the job's next chunk will have, i.e. how many it has; 0 for an unknown job. */
  nextSeq(jobId: string): number {
    return this.jobs.get(jobId)?.log.nextSeq ?? 0;
  }

  /** The seq of the job's first chunk held: output before it is in the store only. */
  firstSeq(jobId: string): number {
    return this.jobs.get(jobId)?.log.firstSeq ?? 0;
  }

  /** UTF-8 bytes of the job's output held; 0 for an unknown job. */
  outputBytes(jobId: string): number {
    return this.jobs.get(jobId)?.log.bytes ?? 0;
  }

  /** The seq from which the job's last chunks hold about `maxBytes` (see ChunkLog.tailStart). */
  tailStart(jobId: string, maxBytes: number): number {
    return this.jobs.get(jobId)?.log.tailStart(maxBytes) ?? 0;
  }

  /** The seq from which the job's chunks to the end hold more than `lines` line breaks (see ChunkLog.lineTailStart). */
  lineTailStart(jobId: string, lines: number): number {
    return this.jobs.get(jobId)?.log.lineTailStart(lines) ?? 0;
  }

  /** A page of a job's output from `fromSeq` (see ChunkLog.read); empty for an unknown job. */
  read(jobId: string, fromSeq: number, maxBytes: number): Chunk[] {
    return this.jobs.get(jobId)?.log.read(fromSeq, maxBytes) ?? [];
  }

  /** Forgets every job and removes the spill files. */
  dispose(): void {
    for (const { log } of this.jobs.values()) log.dispose();
    this.jobs.clear();
    this.removeAllListeners();
  }

  private evict(): void {
    for (const [id, { info, log }] of this.jobs) {
      if (this.jobs.size <= this.maxJobs) return;
      if (isActive(info.status)) continue;
      log.dispose();
      this.jobs.delete(id);
      this.emit('removed', id);
    }
  }
}
