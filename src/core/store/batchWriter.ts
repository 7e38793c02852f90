import { EventEmitter } from 'node:events';
import { messageOf } from '../../shared/errors';
import type { Chunk, JobInfo, JobResult } from '../../shared/jobs';
import type { JobRecorder } from '../jobs/recorder';
import { utf8Of } from '../../shared/schema';
import { assertChunks, assertJobId, assertJobInfo, assertJobResult } from './checkInput';
import type { ChunkBatch, JobStore } from './jobStore';
import { isLost, isRefusal } from './refusal';
import { isolateRefused, type Outcome, type RowWrites } from './refusedRows';

/** When to flush and how to retry; every limit is "whichever comes first". */
export interface BatchWriterOptions {
  /** A queued write waits at most this long; default 50 ms. */
  maxDelayMs?: number;
  /** Chunks per statement; default 1000. */
  maxRows?: number;
  /** UTF-8 bytes of chunk text per statement (a larger single chunk goes alone); default 256 KiB. */
  maxBytes?: number;
  /** First wait after a failed write, doubled on each further failure; default 100 ms. */
  firstRetryMs?: number;
  /** Longest wait between retries; default 5 s. */
  maxRetryMs?: number;
  /** Told of every failed attempt that will be retried (the database is away); default console.warn. */
  onError?: (error: unknown, attempt: number) => void;
  /** Told of each write the database refused for good (its data), which is not stored; default console.warn. */
  onRefused?: (what: string, error: unknown) => void;
}

/** The writes of a JobStore that BatchWriter queues. */
export type JobStoreWrites = Pick<JobStore, 'jobStarted' | 'appendBatch' | 'jobFinished'>;

type Write =
  | { kind: 'started'; job: JobInfo; reporter: string | undefined; keyHash: Buffer | undefined }
  | { kind: 'chunks'; jobId: string; chunks: Chunk[] }
  | { kind: 'finished'; jobId: string; result: JobResult };

/** One statement to run, and the queued chunks it stores. */
interface Statement {
  run: () => Promise<unknown>;
  rows: number;
  bytes: number;
  /** The chunks it stores, for isolating the refused ones. */
  batches?: ChunkBatch[];
  /** What it stores, for the log of a refusal. */
  what: string;
}

const bytesOf = (chunk: Chunk): number => utf8Of(chunk)?.byteLength ?? Buffer.byteLength(chunk.text);

/** Jobs whose highest stored seq is remembered; the oldest are forgotten first. */
const STORED_KEPT = 10_000;

// Unless the store prefers another size (JobStore.statementBytes: PostgreSQL and PGlite on a thread
// of its own take 1 MiB). PGlite on the caller's thread holds it for as long as a statement runs:
// 1 MiB held it ~55 ms (85–100 ms while the machine was busy), 256 KiB ~15 ms.
const DEFAULT_MAX_BYTES = 256 * 1024;

// How much output room() lets wait: four statements keep the database busy. Everything waiting is
// held as strings that the hub's young generation copies at each scavenge until they are stored, so
// a longer queue costs CPU without storing faster. Measured on a 2-core machine, 100 MB reported at
// once to a hub on PostgreSQL (the ingest bench's prepared run): with up to 16 MiB waiting, the hub
// took 970–1020 ms of CPU and stored it in 1.46–1.54 s; with four statements of 256 KiB, 560–610
// ms and 1.0–1.1 s. With statements of 1 MiB (so 4 MiB), as PostgreSQL and PGlite on a thread now
// take, the rate was the same as with 16 MiB.
const BACKLOG_STATEMENTS = 4;

// Sits in front of a store and turns many small reports into few statements. Writes are queued
// and written in the order they came, one statement at a time: a job's start before its output,
// its output in order, its end last. Chunks are flushed together (across jobs) within maxDelayMs,
// or as soon as maxRows or maxBytes are queued; while output streams in faster than the database
// stores it, each statement waits until it can be full (see worthWriting). A write that fails
// while the database is away is retried with backoff until it succeeds; nothing queued behind it
// overtakes it and nothing is dropped, and since every write is idempotent a retry of a statement
// that did commit stores nothing twice. A store that is lost for good (isLost: its database thread
// stopped) ends the retries at once, and close() says what was not stored. A write the database
// refuses for its data (isRefusal) is never retried as it is: a batch of chunks is split in halves
// until the refused rows are alone, each of those is stored as a system line that says so (same
// seq, so the job's output keeps its order and its end), and everything else is stored; a refused
// start or end is left out. Each refusal goes to onRefused.
// Use one per store: it is what keeps that store's writes in order. After each statement that
// stored chunks it emits `stored` with each of their jobs and the highest seq now stored (a
// refused chunk counts as stored: it never will be), which is how a reporter learns what it may
// forget.
export class BatchWriter extends EventEmitter<{ stored: [jobId: string, storedSeq: number] }> implements JobRecorder {
  private readonly queue: Write[] = [];
  private readonly storedSeqs = new Map<string, number>();
  private queuedRows = 0;
  private queuedBytes = 0;
  /** Writes taken off the queue so far, and how many of all enqueued a flush or the delay asked to write at once. */
  private shifted = 0;
  private hurryThrough = 0;
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private closed = false;
  /** Set when close() timed out or the store was lost: retries stop. */
  private abandoned = false;
  /** Why the store can take no more writes, once it cannot (see isLost). */
  private lost: unknown;
  /** Ends the current wait between retries early. */
  private wake: (() => void) | undefined;
  /** Callers of room(), waiting for the queue to shrink. */
  private roomWaiters: (() => void)[] = [];
  private readonly maxDelayMs: number;
  private readonly maxRows: number;
  private readonly maxBytes: number;
  private readonly backlogBytes: number;
  private readonly firstRetryMs: number;
  private readonly maxRetryMs: number;
  private readonly onError: (error: unknown, attempt: number) => void;
  private readonly onRefused: (what: string, error: unknown) => void;
  private readonly rowWrites: RowWrites = {
    append: (batches) => this.retrying(() => this.store.appendBatch(batches)),
    refused: (what, error) => this.refused(what, error),
  };

  constructor(
    private readonly store: JobStoreWrites,
    options: BatchWriterOptions = {},
  ) {
    super();
    this.maxDelayMs = options.maxDelayMs ?? 50;
    this.maxRows = options.maxRows ?? 1000;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.backlogBytes = BACKLOG_STATEMENTS * this.maxBytes;
    this.firstRetryMs = options.firstRetryMs ?? 100;
    this.maxRetryMs = options.maxRetryMs ?? 5000;
    this.onError = options.onError ?? ((error, attempt) => console.warn(`Job store write failed (attempt ${attempt}), retrying:`, error));
    this.onRefused = options.onRefused ?? ((what, error) => console.warn(`The database refused ${what}; not stored:`, error));
  }

  /** Chunks and bytes queued and not yet stored. */
  get pending(): { rows: number; bytes: number } {
    return { rows: this.queuedRows, bytes: this.queuedBytes };
  }

  /** Why writes stopped for good, once they have: the store was lost, or close() stopped waiting for it. */
  get failure(): string | undefined {
    if (this.lost) return `The job store is lost (${messageOf(this.lost)})`;
    return this.abandoned ? 'The job store did not take the last writes before the hub stopped' : undefined;
  }

  /** The highest seq of a job this writer stored; -1 when it stored none (in this life). */
  storedSeq(jobId: string): number {
    return this.storedSeqs.get(jobId) ?? -1;
  }

  /** `keyHash`: who may report the job (JobStore.jobStarted), when this start stores it. */
  started(job: JobInfo, reporter?: string, keyHash?: Buffer): void {
    this.assertOpen();
    assertJobInfo(job);
    this.enqueue({ kind: 'started', job, reporter, keyHash });
  }

  chunks(jobId: string, chunks: readonly Chunk[]): void {
    this.assertOpen();
    assertJobId(jobId);
    assertChunks(chunks);
    if (chunks.length === 0) return;
    this.queuedRows += chunks.length;
    for (const chunk of chunks) this.queuedBytes += bytesOf(chunk);
    this.enqueue({ kind: 'chunks', jobId, chunks: [...chunks] });
  }

  finished(jobId: string, result: JobResult): void {
    this.assertOpen();
    assertJobId(jobId);
    assertJobResult(result);
    this.enqueue({ kind: 'finished', jobId, result });
  }

  /** Resolves once everything queued so far is stored (waiting through retries). */
  async flush(): Promise<void> {
    this.kick(true);
    while (this.draining) await this.draining;
  }

  // Refuses further writes and drains the queue; the store itself stays open. After `timeoutMs`
  // (for a process that must exit while the database is down) it stops retrying and rejects,
  // saying how much output was not stored; so it does at once when the store was lost.
  async close(timeoutMs = Infinity): Promise<void> {
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      if (timeoutMs === Infinity) return;
      timer = setTimeout(() => {
        const { rows } = this.pending;
        this.abandoned = true;
        this.wake?.();
        reject(new Error(`The job store did not take the last writes within ${timeoutMs} ms: ${rows} chunks of output were not stored`));
      }, timeoutMs);
    });
    try {
      await Promise.race([this.flush(), expired]);
    } finally {
      clearTimeout(timer);
    }
    if (this.lost) throw new Error(`The job store is lost (${messageOf(this.lost)}): ${this.pending.rows} chunks of output were not stored`);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The job store writer is closed');
  }

  private enqueue(write: Write): void {
    this.queue.push(write);
    if (this.queuedRows >= this.maxRows || this.queuedBytes >= this.maxBytes) this.kick();
    else if (!this.draining) this.later();
  }

  /** Writes what waits, full statement or not, once maxDelayMs is up; unless a timer already will. */
  private later(): void {
    this.timer ??= setTimeout(() => this.kick(true), this.maxDelayMs);
  }

  // Resolves once at most BACKLOG_STATEMENTS statements' worth of chunk text waits to be stored, or
  // once the writer stops writing (its queue is empty or short of a statement, or close() gave up).
  // A caller that waits for it before it takes more keeps the queue near that size while the
  // database is the bottleneck. (A queue over the backlog is always being drained: enqueue()
  // starts the drain at maxBytes.)
  room(): Promise<void> {
    if (this.roomy) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  private get roomy(): boolean {
    return !this.draining || this.queuedBytes <= this.backlogBytes;
  }

  private wakeRoomWaiters(): void {
    if (!this.roomy) return;
    const waiting = this.roomWaiters;
    this.roomWaiters = [];
    for (const resolve of waiting) resolve();
  }

  /**
   * Starts the drain loop unless it runs; it runs while a statement is worth writing. `hurry`:
   * everything queued by now is, full or not (a flush, or the delay is up).
   */
  private kick(hurry = false): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (hurry) this.hurryThrough = this.shifted + this.queue.length;
    if (this.draining || this.queue.length === 0) return;
    this.draining = this.drain();
  }

  // Whether the next statement goes now: a start or an end does; output does when a full statement
  // of it waits, or when it was queued before a flush or the end of its delay. While a flood comes,
  // less than a full statement comes during each one, and written at once that made statements of
  // about half the size, each paying the database's cost per statement. Measured on a 2-core
  // machine, a job printing 100 MB through the hub into PostgreSQL: 600–1120 statements that way,
  // 300–470 this way, and PostgreSQL's CPU 630–700 ms instead of 940–980 ms.
  private get worthWriting(): boolean {
    const head = this.queue[0];
    if (head === undefined) return false;
    return head.kind !== 'chunks' || this.shifted < this.hurryThrough || this.queuedRows >= this.maxRows || this.queuedBytes >= this.maxBytes;
  }

  private async drain(): Promise<void> {
    try {
      while (this.worthWriting) {
        const statement = this.takeNext();
        if ((await this.settle(statement)) === 'abandoned') break;
        if (statement.batches) this.noteStored(statement.batches);
        this.queuedRows -= statement.rows;
        this.queuedBytes -= statement.bytes;
        this.wakeRoomWaiters();
        // PGlite opened on this thread runs each statement here and resolves without any I/O:
        // without this turn of the event loop a long queue would be written with no socket served
        // meanwhile.
        if (this.queue.length > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      this.draining = undefined;
      // Output left waiting for a full statement goes within the delay all the same.
      if (this.queue.length > 0 && !this.abandoned) this.later();
      this.wakeRoomWaiters();
    }
  }

  private noteStored(batches: readonly ChunkBatch[]): void {
    for (const { jobId, chunks } of batches) {
      const seq = Math.max(this.storedSeq(jobId), ...chunks.map((c) => c.seq));
      this.storedSeqs.delete(jobId);
      this.storedSeqs.set(jobId, seq);
      if (this.storedSeqs.size > STORED_KEPT) this.storedSeqs.delete(this.storedSeqs.keys().next().value!);
      this.emit('stored', jobId, seq);
    }
  }

  /** The next statement: a start or an end alone, or as many queued chunks as the limits allow. */
  private takeNext(): Statement {
    const head = this.queue[0];
    if (head.kind === 'started') {
      this.queue.shift();
      this.shifted++;
      return { run: () => this.store.jobStarted(head.job, head.reporter, head.keyHash), rows: 0, bytes: 0, what: `the start of job ${head.job.id}` };
    }
    if (head.kind === 'finished') {
      this.queue.shift();
      this.shifted++;
      return { run: () => this.store.jobFinished(head.jobId, head.result), rows: 0, bytes: 0, what: `the end of job ${head.jobId}` };
    }
    const batches: ChunkBatch[] = [];
    let rows = 0;
    let bytes = 0;
    let full = false;
    while (!full && this.queue[0]?.kind === 'chunks') {
      const write = this.queue[0];
      let taken = 0;
      for (const chunk of write.chunks) {
        const size = bytesOf(chunk);
        if (rows > 0 && (rows >= this.maxRows || bytes + size > this.maxBytes)) {
          full = true;
          break;
        }
        rows++;
        bytes += size;
        taken++;
      }
      if (taken === 0) break;
      const last = batches[batches.length - 1];
      const chunks = write.chunks.slice(0, taken);
      if (last?.jobId === write.jobId) last.chunks.push(...chunks);
      else batches.push({ jobId: write.jobId, chunks });
      if (taken === write.chunks.length) {
        this.queue.shift();
        this.shifted++;
      } else write.chunks = write.chunks.slice(taken);
    }
    return { run: () => this.store.appendBatch(batches), rows, bytes, batches, what: `${rows} chunks` };
  }

  /** Writes a statement; what the database refuses for good is isolated and reported, and the rest stored. */
  private async settle(statement: Statement): Promise<'stored' | 'abandoned'> {
    const outcome = await this.retrying(statement.run);
    if (typeof outcome === 'string') return outcome;
    if (statement.batches) return isolateRefused(statement.batches, outcome.refused, this.rowWrites);
    this.refused(statement.what, outcome.refused);
    return 'stored';
  }

  private refused(what: string, error: unknown): void {
    try {
      this.onRefused(what, error);
    } catch {
      // A failing logger must not stop the writes.
    }
  }

  /** Runs `write` until it succeeds, the database refuses its data, or close() gives up. */
  private async retrying(write: () => Promise<unknown>): Promise<Outcome> {
    for (let attempt = 1; !this.abandoned; attempt++) {
      try {
        await write();
        return 'stored';
      } catch (err) {
        if (isRefusal(err)) return { refused: err };
        if (isLost(err)) {
          this.lost = err;
          this.abandoned = true;
          break;
        }
        try {
          this.onError(err, attempt);
        } catch {
          // A failing logger must not stop the retries.
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(this.maxRetryMs, this.firstRetryMs * 2 ** (attempt - 1)));
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
    return 'abandoned';
  }
}
