import { Worker } from 'node:worker_threads';
import type { CatalogSnapshot } from '../../shared/catalog';
import { assertNever, messageOf } from '../../shared/errors';
import type { RunRequest } from '../../shared/hubProtocol';
import { textChars, type Chunk, type JobInfo, type JobResult } from '../../shared/jobs';
import type { JobRecorder } from '../jobs/recorder';
import type { HubReporterOptions } from './hubReporter';
import type { OrphanReplay } from './orphanSpools';

// The HubReporter on a worker thread of its own (reporterWorker.ts). On the runner's thread it
// encoded every report, wrote it to the socket and kept it until stored, and while it did, the
// runner did not read the job's pseudo-terminal, whose buffer is small: a 100 MB job waited on its
// own reporting (the ingest bench shows by how much). Here the runner's thread only hands each
// turn's events over, in the order the recorder heard them.

/** A report as it crosses to the reporter's thread. */
export type ThreadEvent =
  | { type: 'started'; job: JobInfo }
  | { type: 'chunks'; jobId: string; chunks: Chunk[] }
  | { type: 'finished'; jobId: string; result: JobResult };

/** What the reporter's thread is asked; `idle`, `close` and `replayOrphans` are answered by `done` with their id. */
export type ToReporter =
  | { type: 'events'; events: ThreadEvent[] }
  | { type: 'retarget'; url: string; token: string }
  | { type: 'catalog'; snapshot: CatalogSnapshot }
  | { type: 'idle'; id: number; timeoutMs: number }
  | { type: 'close'; id: number; timeoutMs: number }
  | { type: 'replayOrphans'; id: number; root: string; timeoutMs: number }
  | { type: 'answer'; id: number; ok: boolean; value?: unknown; error?: string };

/** What the reporter's thread tells, and asks of this one (`cancel`, `run`: answered by `answer`). */
export type FromReporter =
  | { type: 'connected'; connected: boolean }
  | { type: 'log'; message: string }
  | { type: 'cancel'; id: number; jobId: string }
  | { type: 'run'; id: number; request: RunRequest }
  | { type: 'done'; id: number; value: unknown };

/** What the reporter's thread is started with: the options that are data, and which requests of the hub this thread answers. */
export type ReporterThreadData = Omit<HubReporterOptions, 'onCancel' | 'onRun' | 'log' | 'onConnected'> & { cancels: boolean; runs: boolean };

/** Characters of output in one message to the reporter's thread, at most one chunk more. */
const HANDOVER_CHARS = 1 << 20;

/** How long a closing thread has, past the reporter's own timeout, before it is stopped anyway. */
const CLOSE_GRACE_MS = 2000;

export class ReporterThread implements JobRecorder {
  private readonly worker: Worker;
  /** Events of this turn of the event loop, handed over together at its end. */
  private pending: ThreadEvent[] = [];
  private scheduled = false;
  private isConnected = false;
  private nextId = 1;
  /** Questions to the thread awaiting its answer, and what each resolves with if the thread ends first. */
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; orElse: unknown }>();
  private ended = false;
  private closing: Promise<void> | undefined;

  /**
   * Starts `script` (reporterWorker.js) with a HubReporter of `options`. `onLost` hears once of a
   * thread that stopped other than by `close()`: what it held and had not spooled is gone.
   */
  constructor(script: string, options: HubReporterOptions, onLost?: (err: Error) => void) {
    const { onCancel, onRun, log = () => undefined, onConnected, ...data } = options;
    const workerData: ReporterThreadData = { ...data, cancels: onCancel !== undefined, runs: onRun !== undefined };
    this.worker = new Worker(script, { workerData, name: 'hub reporter' });
    const answer = (id: number, work: () => unknown): void => {
      Promise.resolve()
        .then(work)
        .then(
          (value) => this.post({ type: 'answer', id, ok: true, value }),
          (err: unknown) => this.post({ type: 'answer', id, ok: false, error: messageOf(err) }),
        );
    };
    this.worker.on('message', (message: FromReporter) => {
      switch (message.type) {
        case 'connected':
          this.isConnected = message.connected;
          onConnected?.(message.connected);
          return;
        case 'log':
          return log(message.message);
        // Asked only when given (ReporterThreadData's `cancels`, `runs`).
        case 'cancel':
          return answer(message.id, () => onCancel?.(message.jobId));
        case 'run':
          return answer(message.id, () => onRun?.(message.request));
        case 'done':
          this.waiting.get(message.id)?.resolve(message.value);
          this.waiting.delete(message.id);
          return;
        default:
          assertNever(message);
      }
    });
    this.worker.on('error', (err) => log(`The hub reporter's thread failed: ${err.message}`));
    this.worker.on('exit', (code) => {
      this.ended = true;
      this.isConnected = false;
      for (const { resolve, orElse } of this.waiting.values()) resolve(orElse);
      this.waiting.clear();
      if (!this.closing) onLost?.(new Error(`The hub reporter's thread stopped (exit code ${code})`));
    });
  }

  /** Whether the reporter's socket to the hub is connected, as its thread last said. */
  get connected(): boolean {
    return this.isConnected;
  }

  started(job: JobInfo): void {
    this.add({ type: 'started', job });
  }

  chunks(jobId: string, chunks: Chunk[]): void {
    if (chunks.length > 0) this.add({ type: 'chunks', jobId, chunks });
  }

  finished(jobId: string, result: JobResult): void {
    this.add({ type: 'finished', jobId, result });
  }

  /** Points the reporter at another hub. */
  retarget(url: string, token: string): void {
    this.post({ type: 'retarget', url, token });
  }

  /** Hands the hub what discovery saw. */
  catalog(snapshot: CatalogSnapshot): void {
    this.post({ type: 'catalog', snapshot });
  }

  /** Resolves true once the hub has stored everything reported so far, false after `timeoutMs`. */
  idle(timeoutMs: number): Promise<boolean> {
    return this.ask((id) => ({ type: 'idle', id, timeoutMs }), false);
  }

  /** Sends the spools of every dead window under `root` to the hub (see orphanSpools.ts), on the reporter's thread: a spool is read whole. */
  replayOrphans(root: string, timeoutMs = 30_000): Promise<OrphanReplay> {
    return this.ask((id) => ({ type: 'replayOrphans', id, root, timeoutMs }), { jobs: [], leftOver: [] });
  }

  // Waits (at most `timeoutMs`) until the hub has stored everything, then stops the thread; what is
  // left is in the spool files, for a later replay.
  close(timeoutMs = 5000): Promise<void> {
    this.closing ??= (async () => {
      const timer = setTimeout(() => void this.worker.terminate(), timeoutMs + CLOSE_GRACE_MS);
      await this.ask((id) => ({ type: 'close', id, timeoutMs }), undefined);
      clearTimeout(timer);
      await this.worker.terminate();
    })();
    return this.closing;
  }

  private add(event: ThreadEvent): void {
    this.pending.push(event);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  // In messages of about HANDOVER_CHARS: the reporter's thread starts on the first while this one
  // copies the next (a window reaching its hub hands over what its jobs printed meanwhile at once).
  private flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0 || this.ended) return;
    let events: ThreadEvent[] = [];
    let chars = 0;
    for (const event of this.pending) {
      events.push(event);
      if (event.type === 'chunks') chars += textChars(event.chunks);
      if (chars < HANDOVER_CHARS) continue;
      this.worker.postMessage({ type: 'events', events } satisfies ToReporter);
      events = [];
      chars = 0;
    }
    this.pending = [];
    if (events.length > 0) this.worker.postMessage({ type: 'events', events } satisfies ToReporter);
  }

  // Everything else goes after the events before it.
  private post(message: ToReporter): void {
    this.flush();
    if (!this.ended) this.worker.postMessage(message);
  }

  private ask<T>(message: (id: number) => ToReporter, orElse: T): Promise<T> {
    if (this.ended) return Promise.resolve(orElse);
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, orElse });
      this.post(message(id));
    });
  }
}
