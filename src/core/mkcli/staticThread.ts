import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Problem } from '../problem';
import type { StaticListing, StaticOptions } from './staticTargets';

// Reads makefiles as text (readStaticTargets) on a worker thread (staticWorker.ts), so that the
// extension host's thread never waits on it: a makefile that takes all its expansion budget held
// the host for seconds, and one on a hung mount for ever. A read that takes longer than its
// bound ends the thread and becomes an error at the makefile; the next read starts a new one.
// A read that is no longer wanted (its makefile changed while it ran) is dropped, or its thread
// ended, so that the read of the fixed makefile does not wait for it.
// One thread for all projects, reading one project at a time: starting one costs as much as
// reading tens of ordinary projects (measured: about 80 ms a start, 5 ms a read). It stops
// when it has had nothing to read for a while, and when the extension stops.

/** A read asked of the thread. */
export interface ToStaticThread {
  id: number;
  dir: string;
  makefile: string;
  options: StaticOptions;
}

/** What the thread says: that it is ready to read, then for each read the listing or why readStaticTargets threw. */
export type FromStaticThread = { ready: true } | { id: number; listing: StaticListing } | { id: number; error: string };

/** What an aborted read says after the makefile's name. */
const CANCELED = 'was not read: the read was canceled';

/** How long the thread is kept with nothing to read. */
const IDLE_MS = 30_000;

interface Request {
  dir: string;
  makefile: string;
  options: StaticOptions;
  timeoutMs: number;
  signal?: AbortSignal;
  resolve: (listing: StaticListing) => void;
}

export class StaticReaderThread {
  private worker: Worker | undefined;
  private readonly queue: Request[] = [];
  private running: (Request & { id: number; timer?: NodeJS.Timeout }) | undefined;
  /** Whether the thread has loaded its code: a read's bound starts then, not while a new thread starts. */
  private ready = false;
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;
  private disposed = false;

  /** `script` is staticWorker.js (staticWorker.ts once bundled). */
  constructor(
    private readonly script: string,
    private readonly idleMs = IDLE_MS,
  ) {}

  /** Whether a thread is started now. */
  get started(): boolean {
    return this.worker !== undefined;
  }

  // What readStaticTargets(dir, makefile, options) gives, read on the thread; a read that takes
  // longer than `timeoutMs` once started is stopped and is an error at the makefile, and so is
  // one aborted by `signal` (a listing nobody waits for).
  read(dir: string, makefile: string, options: StaticOptions, timeoutMs: number, signal?: AbortSignal): Promise<StaticListing> {
    if (this.disposed) return Promise.resolve(unread(makefile, 'was not read: the extension is stopping'));
    if (signal?.aborted) return Promise.resolve(unread(makefile, CANCELED));
    return new Promise((resolve) => {
      const request: Request = { dir, makefile, options, timeoutMs, signal, resolve };
      signal?.addEventListener('abort', () => this.abort(request), { once: true });
      this.queue.push(request);
      this.next();
    });
  }

  /** Stops the thread; reads not answered yet end as not read. */
  dispose(): void {
    this.disposed = true;
    clearTimeout(this.idleTimer);
    const left = [...(this.running ? [this.running] : []), ...this.queue.splice(0)];
    if (this.running) clearTimeout(this.running.timer);
    this.running = undefined;
    this.stopWorker();
    for (const r of left) r.resolve(unread(r.makefile, 'was not read: the extension is stopping'));
  }

  private next(): void {
    if (this.running || this.disposed) return;
    clearTimeout(this.idleTimer);
    const request = this.queue.shift();
    if (!request) {
      this.idleTimer = setTimeout(() => this.stopWorker(), this.idleMs);
      this.idleTimer.unref();
      return;
    }
    const worker = (this.worker ??= this.start());
    const id = this.nextId++;
    this.running = Object.assign(request, { id });
    if (this.ready) this.bound();
    // The thread keeps the process alive only while it reads.
    worker.ref();
    worker.postMessage({ id, dir: request.dir, makefile: request.makefile, options: request.options } satisfies ToStaticThread);
  }

  /** Starts the clock of the read in progress. */
  private bound(): void {
    const running = this.running;
    if (running && !running.timer) running.timer = setTimeout(() => this.timedOut(), running.timeoutMs);
  }

  private start(): Worker {
    const worker = new Worker(this.script, { name: 'makefile reader' });
    this.ready = false;
    worker.on('message', (answer: FromStaticThread) => {
      if (worker !== this.worker) return;
      if ('ready' in answer) {
        this.ready = true;
        return this.bound();
      }
      if (answer.id !== this.running?.id) return;
      const listing = 'listing' in answer ? answer.listing : unread(this.running.makefile, `could not be read: ${answer.error}`);
      this.finish(listing);
    });
    // A thread that fails or stops by itself takes the read it was doing with it.
    const lost = (why: string): void => {
      if (worker !== this.worker) return;
      this.worker = undefined;
      if (this.running) this.finish(unread(this.running.makefile, `could not be read: ${why}`));
    };
    worker.on('error', (err) => lost(err.message));
    worker.on('exit', (code) => lost(`its reader stopped (exit code ${code})`));
    return worker;
  }

  private abort(request: Request): void {
    const queued = this.queue.indexOf(request);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      request.resolve(unread(request.makefile, CANCELED));
    } else if (this.running === request) {
      this.stopWorker();
      this.finish(unread(request.makefile, CANCELED));
    }
  }

  private timedOut(): void {
    const running = this.running;
    if (!running) return;
    // The reading cannot be interrupted inside the thread: the thread goes, and the next read starts another.
    this.stopWorker();
    this.finish(unread(running.makefile, `took longer than ${running.timeoutMs / 1000} s to read and was stopped`));
  }

  private finish(listing: StaticListing): void {
    const running = this.running;
    if (!running) return;
    clearTimeout(running.timer);
    this.running = undefined;
    this.worker?.unref();
    running.resolve(listing);
    this.next();
  }

  private stopWorker(): void {
    const worker = this.worker;
    this.worker = undefined;
    // Not awaited, and no longer keeping the process alive: a thread blocked in a read of a hung
    // mount may never end.
    worker?.unref();
    void worker?.terminate();
  }
}

// The listing of a makefile that was not read: an error at the makefile, which is also refused
// (with make's database, its targets are still listed, without their places).
function unread(makefile: string, why: string): StaticListing {
  const problem: Problem = { severity: 'error', message: `${path.basename(makefile)} ${why}`, file: makefile };
  return { targets: [], files: [makefile], makefileNames: [path.basename(makefile)], problems: [problem], refused: [problem] };
}
