// The spool files of one reporter, `<dir>/<jobId>.jsonl`: a job's events not yet stored by the
// hub, one JSON line each, written while the hub is away and read back a batch at a time from a
// byte offset. A crash can tear the last line only; a torn or damaged line is skipped, never fatal.
import { appendFileSync, closeSync, mkdirSync, readdirSync, readSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Chunk, JobInfo, JobResult } from '../../shared/jobs';
import { FileReadError, openRegularSync } from '../util/readBounded';

/** One line of a spool file. */
export type SpoolEvent = { type: 'started'; job: JobInfo } | { type: 'chunks'; chunks: Chunk[] } | { type: 'finished'; result: JobResult };

/** A job id that can name a file in the spool folder and nothing else. */
export const safeName = (jobId: string): boolean => /^[A-Za-z0-9._-]{1,100}$/.test(jobId) && !jobId.startsWith('.');

/** Events as spool lines. */
export const spoolLines = (events: readonly SpoolEvent[]): string => events.map((e) => JSON.stringify(e) + '\n').join('');

/** The spool folder of one reporter, which owns every file in it. */
export class JobSpool {
  constructor(
    readonly dir: string,
    private readonly log: (message: string) => void,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /** The spool file of a job. */
  file(jobId: string): string {
    return path.join(this.dir, `${jobId}.jsonl`);
  }

  /** Ids of the jobs that have a spool file here. */
  jobIds(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    return names.filter((n) => n.endsWith('.jsonl')).map((n) => n.slice(0, -'.jsonl'.length)).filter(safeName);
  }

  // Replaces a job's spool in one step (write aside, rename): a crash leaves the old file or the
  // new one, never a mix.
  replace(jobId: string, text: string): void {
    const file = this.file(jobId);
    const temp = `${file}.tmp`;
    writeFileSync(temp, text, { mode: 0o600 });
    renameSync(temp, file);
  }

  append(jobId: string, events: readonly SpoolEvent[]): void {
    appendFileSync(this.file(jobId), spoolLines(events), { mode: 0o600 });
  }

  /** Size of a job's spool in bytes, undefined when it has none. */
  size(jobId: string): number | undefined {
    return this.stat(jobId)?.size;
  }

  /** When a job's spool was last written, undefined when it has none. */
  mtime(jobId: string): number | undefined {
    return this.stat(jobId)?.mtimeMs;
  }

  remove(jobId: string): void {
    try {
      unlinkSync(this.file(jobId));
    } catch {
      // Already gone.
    }
  }

  // Complete lines of a job's spool from `offset`: about `maxBytes` of them, at least one line.
  // Opened non-blocking and checked on the descriptor: a spool that is a FIFO, a device or a
  // folder is logged and read as empty, never waited on; reads stop at the size it had when opened.
  readText(jobId: string, offset: number, maxBytes = Number.MAX_SAFE_INTEGER): string {
    const file = this.file(jobId);
    let fd: number;
    let size: number;
    try {
      ({ fd, size } = openRegularSync(file));
    } catch (err) {
      if (err instanceof FileReadError && err.code !== 'ENOENT') this.log(`Skipped the spool ${err.message}`);
      else if (!(err instanceof FileReadError)) throw err;
      return '';
    }
    try {
      let want = Math.min(size - offset, Math.max(maxBytes, 64 * 1024));
      while (want > 0) {
        const buffer = Buffer.alloc(want);
        const n = readSync(fd, buffer, 0, want, offset);
        const nl = buffer.subarray(0, n).lastIndexOf(0x0a);
        if (nl >= 0) return buffer.subarray(0, nl + 1).toString('utf8');
        // A line longer than what was read, or a torn last line (a crash while writing).
        if (offset + n >= size) return '';
        want = Math.min(size - offset, want * 2);
      }
      return '';
    } finally {
      closeSync(fd);
    }
  }

  /** Complete events from `offset`, each with its size in bytes; a damaged line becomes an empty event. */
  read(jobId: string, offset: number, maxBytes?: number): { event: SpoolEvent; bytes: number }[] {
    const text = this.readText(jobId, offset, maxBytes);
    const events: { event: SpoolEvent; bytes: number }[] = [];
    for (const line of text.split('\n').slice(0, -1)) {
      const bytes = Buffer.byteLength(line) + 1;
      try {
        events.push({ event: JSON.parse(line) as SpoolEvent, bytes });
      } catch {
        this.log(`Skipped a damaged line of ${this.file(jobId)}`);
        events.push({ event: { type: 'chunks', chunks: [] }, bytes });
      }
    }
    return events;
  }

  private stat(jobId: string): { size: number; mtimeMs: number } | undefined {
    try {
      return statSync(this.file(jobId));
    } catch {
      return undefined;
    }
  }
}
