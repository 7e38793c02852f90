// Reports this window's jobs to the hub over Socket.io, and never loses them: what the hub has not
// acknowledged — and what it acknowledged but has not yet stored — goes to a per-job spool file
// while the hub is away, and is sent again, in order, when it is back. The hub stores every
// report idempotently by (job id, seq), so sending something twice is harmless; sending out of
// order is not, so one report is in flight at a time and later ones queue behind it.
import { appendFileSync, closeSync, mkdirSync, openSync, readdirSync, readSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import type { CatalogSnapshot } from '../../shared/catalog';
import { HUB_NAMESPACE } from '../../shared/hubProtocol';
import type { Chunk, JobInfo, JobResult } from '../../shared/jobs';
import type { JobRecorder } from '../jobs/recorder';

/** One line of a spool file. */
export type SpoolEvent = { type: 'started'; job: JobInfo } | { type: 'chunks'; chunks: Chunk[] } | { type: 'finished'; result: JobResult };

export interface HubReporterOptions {
  /** `http://host:port` of the hub. */
  url: string;
  /** An operator token. */
  token: string;
  /** A stable id of this window: the hub keeps a job's owner across reconnects by it. */
  reporterId: string;
  /** Per-job spool files `<jobId>.jsonl`; created 0700. One folder per window (see replaySpools). */
  spoolDir: string;
  /** The hub asked to cancel a job of this reporter; return false (or throw) when it could not be. */
  onCancel?: (jobId: string) => boolean | void | Promise<boolean | void>;
  log?: (message: string) => void;
  /** An unanswered report after this long counts as a lost connection; default 10 s. */
  ackTimeoutMs?: number;
  /** How often acknowledged output is checked to be stored; default 250 ms. */
  confirmIntervalMs?: number;
  /** Most chunks / bytes of text in one `report:chunks`; default 1000 / 512 KiB. */
  batchChunks?: number;
  batchBytes?: number;
}

/** One job this reporter knows about, from `started` until the hub has stored its end. */
interface JobState {
  id: string;
  info?: JobInfo;
  /** Not yet acknowledged, when not spooled; the head may be in flight. */
  queue: SpoolEvent[];
  /** A spool file holds this job's pending events; new events are appended to it. */
  spooled: boolean;
  /** Bytes of the spool file already acknowledged. */
  spoolOffset: number;
  /** Acknowledged but not yet seen in the store. */
  retained: Chunk[];
  retainedFinished?: JobResult;
}

interface Batch {
  job: JobState;
  event: SpoolEvent;
  /** Queue events or spool bytes the batch covers. */
  queueCount: number;
  spoolBytes: number;
}

type RawSocket = {
  connected: boolean;
  sendBuffer: unknown[];
  timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> };
};

const textBytes = (chunks: readonly Chunk[]): number => chunks.reduce((n, c) => n + c.text.length, 0);
const isAckOk = (answer: unknown): boolean => typeof answer === 'object' && answer !== null && (answer as { ok?: unknown }).ok === true;
const errorOf = (answer: unknown): string => (typeof answer === 'object' && answer !== null && typeof (answer as { error?: unknown }).error === 'string' ? (answer as { error: string }).error : 'refused');
const mtimeOf = (file: string): number | undefined => {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
};
const safeName = (jobId: string): boolean => /^[A-Za-z0-9._-]{1,100}$/.test(jobId) && !jobId.startsWith('.');

export class HubReporter implements JobRecorder {
  private readonly jobs = new Map<string, JobState>();
  private socket: Socket | undefined;
  /** Increases on every (re)connect and disconnect: answers of an older session are ignored. */
  private session = 0;
  private pumping = false;
  private confirming = false;
  private closed = false;
  private readonly confirmTimer: NodeJS.Timeout;
  private readonly idleWaiters = new Set<() => void>();
  /** The latest catalog, and whether the hub of this connection still has to acknowledge it. */
  private latestCatalog: CatalogSnapshot | undefined;
  private catalogDue = false;
  private sendingCatalog = false;
  private readonly log: (message: string) => void;
  private readonly ackTimeoutMs: number;
  private readonly batchChunks: number;
  private readonly batchBytes: number;

  constructor(private readonly options: HubReporterOptions) {
    this.log = options.log ?? (() => undefined);
    this.ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    this.batchChunks = options.batchChunks ?? 1000;
    this.batchBytes = options.batchBytes ?? 512 * 1024;
    mkdirSync(options.spoolDir, { recursive: true, mode: 0o700 });
    this.confirmTimer = setInterval(() => void this.confirm(), options.confirmIntervalMs ?? 250);
    this.confirmTimer.unref();
    this.connect(options.url, options.token);
  }

  /** Whether the socket to the hub is connected. */
  get connected(): boolean {
    return this.socket?.connected ?? false;
  }

  /** Counts for a status display: events queued in memory, jobs with a spool file, chunks acknowledged but not yet seen stored. */
  get stats(): { queued: number; spooledJobs: number; unconfirmedChunks: number } {
    let queued = 0;
    let spooledJobs = 0;
    let unconfirmedChunks = 0;
    for (const job of this.jobs.values()) {
      queued += job.queue.length;
      if (job.spooled) spooledJobs++;
      unconfirmedChunks += job.retained.length;
    }
    return { queued, spooledJobs, unconfirmedChunks };
  }

  /** Jobs not yet known to be stored to their end. */
  get pendingJobs(): string[] {
    return [...this.jobs.keys()];
  }

  // ── JobRecorder ─────────────────────────────────────────────────────────────────────────

  started(job: JobInfo): void {
    if (!safeName(job.id)) throw new Error(`A job id must be a plain file name, got ${JSON.stringify(job.id)}`);
    const state = this.jobs.get(job.id) ?? this.newState(job.id);
    this.add(state, { type: 'started', job });
    state.info = job;
  }

  chunks(jobId: string, chunks: Chunk[]): void {
    if (chunks.length === 0) return;
    this.add(this.stateOf(jobId), { type: 'chunks', chunks });
  }

  finished(jobId: string, result: JobResult): void {
    this.add(this.stateOf(jobId), { type: 'finished', result });
  }

  // ── control ─────────────────────────────────────────────────────────────────────────────

  /** Points the reporter at another hub (e.g. one started anew on another port). */
  retarget(url: string, token: string): void {
    if (this.closed) return;
    this.disconnectSocket();
    this.connect(url, token);
  }

  // Hands the hub what discovery saw. Only the latest snapshot is kept; it is sent when connected
  // and again after every reconnect (the hub may be a new one). It is not spooled: the next
  // discovery produces it again.
  catalog(snapshot: CatalogSnapshot): void {
    this.latestCatalog = snapshot;
    this.catalogDue = true;
    void this.sendCatalog();
  }

  // Takes over the spool files in spoolDir that this reporter does not own (left by an earlier
  // life of this window) and sends them. A job whose spool has no end is ended as interrupted:
  // its process died with that window. Returns the job ids taken over.
  replaySpools(): string[] {
    const taken: string[] = [];
    let names: string[];
    try {
      names = readdirSync(this.options.spoolDir);
    } catch {
      return taken;
    }
    for (const name of names) {
      if (!name.endsWith('.jsonl')) continue;
      const jobId = name.slice(0, -'.jsonl'.length);
      if (!safeName(jobId) || this.jobs.has(jobId)) continue;
      const state = this.newState(jobId);
      state.spooled = true;
      const events = this.readSpool(state, 0).map((e) => e.event);
      state.info = events.find((e): e is Extract<SpoolEvent, { type: 'started' }> => e.type === 'started')?.job;
      if (!events.some((e) => e.type === 'finished')) {
        // It ended with the window, which wrote its spool last as it went away.
        const startedAt = state.info?.startedAt ?? Date.now();
        const finishedAt = Math.max(startedAt, mtimeOf(this.spoolFile(jobId)) ?? Date.now());
        this.appendSpool(state, [{ type: 'finished', result: { status: 'interrupted', exitCode: null, signal: null, finishedAt, durationMs: Math.max(0, finishedAt - startedAt) } }]);
      }
      taken.push(jobId);
    }
    if (taken.length > 0) this.log(`Replaying ${taken.length} spooled job(s) to the hub`);
    void this.pump();
    return taken;
  }

  // Waits (at most `timeoutMs`) until the hub has stored everything, then disconnects; what is
  // left is spooled for a later replaySpools().
  async close(timeoutMs = 5000): Promise<void> {
    if (this.closed) return;
    await this.idle(timeoutMs);
    this.closed = true;
    clearInterval(this.confirmTimer);
    this.disconnectSocket();
    for (const w of this.idleWaiters) w();
  }

  /** True when the hub has stored everything reported so far (running jobs may still report more). */
  get settled(): boolean {
    for (const job of this.jobs.values()) {
      if (job.spooled || job.queue.length > 0 || job.retained.length > 0 || job.retainedFinished) return false;
    }
    return true;
  }

  /** Resolves true once the hub has stored everything reported so far, false after `timeoutMs`. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.settled) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (): void => {
        if (!this.settled && !this.closed) return;
        clearTimeout(timer);
        this.idleWaiters.delete(done);
        resolve(this.settled);
      };
      const timer = setTimeout(() => {
        this.idleWaiters.delete(done);
        resolve(this.settled);
      }, timeoutMs);
      this.idleWaiters.add(done);
    });
  }

  /** The spool file of a job. */
  spoolFile(jobId: string): string {
    return path.join(this.options.spoolDir, `${jobId}.jsonl`);
  }

  // ── connection ──────────────────────────────────────────────────────────────────────────

  private connect(url: string, token: string): void {
    const socket = io(`${url}${HUB_NAMESPACE}`, {
      auth: { token, reporter: this.options.reporterId },
      transports: ['websocket'],
      reconnection: true,
      reconnectionDelay: 200,
      reconnectionDelayMax: 2000,
      timeout: 5000,
      forceNew: true,
    });
    this.socket = socket;
    socket.on('connect', () => {
      this.session++;
      void this.pump();
      this.catalogDue ||= this.latestCatalog !== undefined;
      void this.sendCatalog();
    });
    socket.on('disconnect', (reason) => {
      this.log(`Disconnected from the hub (${reason}); spooling`);
      this.lost();
    });
    socket.on('connect_error', (err) => this.log(`Cannot reach the hub: ${err.message}`));
    socket.on('cancel-job', (request: unknown, ack?: (answer: unknown) => void) => void this.cancel(request, ack));
  }

  private disconnectSocket(): void {
    const socket = this.socket;
    this.socket = undefined;
    if (!socket) return;
    socket.removeAllListeners();
    socket.disconnect();
    this.lost();
  }

  // The connection is gone (or a report went unanswered): everything not stored goes to spool
  // files, to be sent again from the start of what the hub may not have stored.
  private lost(): void {
    this.session++;
    const raw = this.socket as unknown as RawSocket | undefined;
    if (raw) raw.sendBuffer = [];
    for (const state of this.jobs.values()) this.spill(state);
  }

  private async cancel(request: unknown, ack?: (answer: unknown) => void): Promise<void> {
    const jobId = typeof request === 'string' ? request : (request as { jobId?: unknown } | undefined)?.jobId;
    const reply = ack ?? (() => undefined);
    if (typeof jobId !== 'string' || !this.jobs.has(jobId)) return reply({ ok: false, error: `This window runs no job ${String(jobId)}` });
    try {
      const done = await this.options.onCancel?.(jobId);
      reply(done === false || !this.options.onCancel ? { ok: false, error: `Job ${jobId} could not be canceled` } : { ok: true });
    } catch (err) {
      reply({ ok: false, error: (err as Error).message });
    }
  }

  // ── queue and spool ─────────────────────────────────────────────────────────────────────

  private newState(id: string): JobState {
    const state: JobState = { id, queue: [], spooled: false, spoolOffset: 0, retained: [] };
    this.jobs.set(id, state);
    return state;
  }

  private stateOf(jobId: string): JobState {
    const state = this.jobs.get(jobId);
    if (state) return state;
    if (!safeName(jobId)) throw new Error(`A job id must be a plain file name, got ${JSON.stringify(jobId)}`);
    return this.newState(jobId);
  }

  private add(state: JobState, event: SpoolEvent): void {
    if (state.spooled || this.closed || !this.connected) {
      if (!state.spooled) this.spill(state);
      this.appendSpool(state, [event]);
    } else {
      state.queue.push(event);
    }
    void this.pump();
  }

  // Moves all of a job's unstored events to its spool file: its start, what was acknowledged but
  // not stored, then what is pending (the rest of the spool, or the queue).
  private spill(state: JobState): void {
    const head: SpoolEvent[] = [];
    if (state.info) head.push({ type: 'started', job: state.info });
    if (state.retained.length > 0) head.push({ type: 'chunks', chunks: state.retained });
    if (state.retainedFinished) head.push({ type: 'finished', result: state.retainedFinished });
    const rest = state.spooled ? this.readSpoolText(state, state.spoolOffset) : state.queue.map((e) => JSON.stringify(e) + '\n').join('');
    const text = head.map((e) => JSON.stringify(e) + '\n').join('') + rest;
    const file = this.spoolFile(state.id);
    const temp = `${file}.tmp`;
    writeFileSync(temp, text, { mode: 0o600 });
    renameSync(temp, file);
    state.spooled = true;
    state.spoolOffset = 0;
    state.queue = [];
    state.retained = [];
    state.retainedFinished = undefined;
  }

  private appendSpool(state: JobState, events: SpoolEvent[]): void {
    appendFileSync(this.spoolFile(state.id), events.map((e) => JSON.stringify(e) + '\n').join(''), { mode: 0o600 });
  }

  // Complete lines of the spool from `offset`: about `maxBytes` of them, at least one line.
  private readSpoolText(state: JobState, offset: number, maxBytes = Number.MAX_SAFE_INTEGER): string {
    const file = this.spoolFile(state.id);
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw err;
    }
    try {
      const size = statSync(file).size;
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
  private readSpool(state: JobState, offset: number, maxBytes?: number): { event: SpoolEvent; bytes: number }[] {
    const text = this.readSpoolText(state, offset, maxBytes);
    const events: { event: SpoolEvent; bytes: number }[] = [];
    for (const line of text.split('\n').slice(0, -1)) {
      const bytes = Buffer.byteLength(line) + 1;
      try {
        events.push({ event: JSON.parse(line) as SpoolEvent, bytes });
      } catch {
        this.log(`Skipped a damaged line of ${this.spoolFile(state.id)}`);
        events.push({ event: { type: 'chunks', chunks: [] }, bytes });
      }
    }
    return events;
  }

  // ── sending ─────────────────────────────────────────────────────────────────────────────

  // The next report to send: a job's spool (in file order), else its queue; consecutive chunk
  // events are merged up to the batch limits.
  private nextBatch(): Batch | undefined {
    for (const state of this.jobs.values()) {
      if (state.spooled) {
        const sized = this.readSpool(state, state.spoolOffset, this.batchBytes);
        if (sized.length === 0) {
          // All of it acknowledged: nothing can be appended between this check and the unlink.
          try {
            if (statSync(this.spoolFile(state.id)).size <= state.spoolOffset) unlinkSync(this.spoolFile(state.id));
            else continue;
          } catch {
            // Already gone.
          }
          state.spooled = false;
          state.spoolOffset = 0;
          continue;
        }
        return this.merge(state, sized.map((s) => s.event), sized.map((s) => s.bytes));
      }
      if (state.queue.length > 0) return this.merge(state, state.queue, undefined);
    }
    return undefined;
  }

  private merge(job: JobState, events: SpoolEvent[], sizes: number[] | undefined): Batch {
    const first = events[0];
    let count = 1;
    let spoolBytes = sizes ? sizes[0] : 0;
    if (first.type !== 'chunks') return { job, event: first, queueCount: sizes ? 0 : 1, spoolBytes };
    const chunks = [...first.chunks];
    let bytes = textBytes(chunks);
    while (count < events.length) {
      const next = events[count];
      if (next.type !== 'chunks' || chunks.length + next.chunks.length > this.batchChunks || bytes + textBytes(next.chunks) > this.batchBytes) break;
      chunks.push(...next.chunks);
      bytes += textBytes(next.chunks);
      if (sizes) spoolBytes += sizes[count];
      count++;
    }
    return { job, event: { type: 'chunks', chunks }, queueCount: sizes ? 0 : count, spoolBytes };
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.closed && this.connected) {
        const batch = this.nextBatch();
        if (!batch) break;
        const session = this.session;
        const answer = await this.send(batch.job.id, batch.event);
        if (session !== this.session) continue; // Spilled meanwhile: start over from the spool.
        if (answer === 'lost') {
          this.log(`The hub did not acknowledge a report within ${this.ackTimeoutMs} ms; reconnecting`);
          this.reconnect();
          break;
        }
        const { job } = batch;
        if (batch.spoolBytes > 0) job.spoolOffset += batch.spoolBytes;
        else job.queue.splice(0, batch.queueCount);
        if (answer === 'ok') {
          if (batch.event.type === 'chunks') job.retained.push(...batch.event.chunks);
          if (batch.event.type === 'finished') job.retainedFinished = batch.event.result;
        } else {
          this.log(`The hub refused ${batch.event.type} of job ${job.id}: ${answer.refused}`);
          if (batch.event.type === 'finished' || (batch.event.type === 'started' && !job.info)) this.forget(job);
        }
        if (job.spooled) this.nextBatchCleanup(job);
      }
    } finally {
      this.pumping = false;
    }
    this.notifyIdle();
  }

  // Deletes a fully acknowledged spool at once, so that new events go to the queue again.
  private nextBatchCleanup(job: JobState): void {
    try {
      if (statSync(this.spoolFile(job.id)).size > job.spoolOffset) return;
      unlinkSync(this.spoolFile(job.id));
    } catch {
      // Already gone.
    }
    job.spooled = false;
    job.spoolOffset = 0;
  }

  private send(jobId: string, event: SpoolEvent): Promise<'ok' | 'lost' | { refused: string }> {
    const [name, payload] =
      event.type === 'started' ? ['report:started', event.job] : event.type === 'chunks' ? ['report:chunks', { jobId, chunks: event.chunks }] : ['report:finished', { jobId, result: event.result }];
    return this.request(name, payload);
  }

  /** One acknowledged report; 'lost' when not connected or unanswered in time. */
  private async request(name: string, payload: unknown): Promise<'ok' | 'lost' | { refused: string }> {
    const raw = this.socket as unknown as RawSocket | undefined;
    if (!raw?.connected) return 'lost';
    try {
      const answer = await raw.timeout(this.ackTimeoutMs).emitWithAck(name, payload);
      return isAckOk(answer) ? 'ok' : { refused: errorOf(answer) };
    } catch {
      return 'lost';
    }
  }

  // Sends the latest catalog until the hub of the current connection has answered it. An answer
  // lost on this connection waits for the next connect; a refusal (the store failed) is logged and
  // left to the next discovery.
  private async sendCatalog(): Promise<void> {
    if (this.sendingCatalog) return;
    this.sendingCatalog = true;
    try {
      while (this.catalogDue && !this.closed && this.connected) {
        const session = this.session;
        this.catalogDue = false;
        const answer = await this.request('report:catalog', this.latestCatalog);
        if (answer === 'lost') {
          this.catalogDue = true;
          if (session === this.session) return;
        } else if (answer !== 'ok') {
          this.log(`The hub refused the catalog: ${answer.refused}`);
        }
      }
    } finally {
      this.sendingCatalog = false;
    }
  }

  private reconnect(): void {
    const socket = this.socket;
    if (!socket) return;
    socket.disconnect(); // 'disconnect' spills.
    socket.connect();
  }

  private forget(job: JobState): void {
    this.jobs.delete(job.id);
    try {
      unlinkSync(this.spoolFile(job.id));
    } catch {
      // No spool.
    }
  }

  // Asks the hub what it stored of each job with acknowledged output, and drops what is stored;
  // a job whose end is stored is done.
  private async confirm(): Promise<void> {
    if (this.confirming || !this.connected) return;
    this.confirming = true;
    try {
      for (const job of [...this.jobs.values()]) {
        if (job.retained.length === 0 && !job.retainedFinished) continue;
        const raw = this.socket as unknown as RawSocket | undefined;
        if (!raw?.connected) break;
        const session = this.session;
        let answer: unknown;
        try {
          answer = await raw.timeout(this.ackTimeoutMs).emitWithAck('jobs:get', job.id);
        } catch {
          break;
        }
        if (session !== this.session || !isAckOk(answer)) continue;
        const stored = (answer as { job: { lastSeq?: number; status: string } }).job;
        const lastSeq = stored.lastSeq ?? -1;
        job.retained = job.retained.filter((c) => c.seq > lastSeq);
        if (job.retainedFinished && stored.status !== 'running' && job.retained.length === 0 && !job.spooled && job.queue.length === 0) this.jobs.delete(job.id);
      }
    } finally {
      this.confirming = false;
    }
    this.notifyIdle();
  }

  private notifyIdle(): void {
    if (!this.settled) return;
    for (const w of [...this.idleWaiters]) w();
  }
}
