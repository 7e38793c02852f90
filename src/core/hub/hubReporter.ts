// Reports this window's jobs to the hub over Socket.io, and never loses them: what the hub has not
// acknowledged — and what it acknowledged but has not yet stored — goes to a per-job spool file
// while the hub is away, and is sent again, in order, when it is back. The hub stores every
// report idempotently by (job id, seq), so sending something twice is harmless; sending out of
// order is not. Several reports are in flight at once (a window), which keeps order: one
// websocket delivers in order and the hub handles one socket's reports one after another, so a
// report is never stored before the ones sent ahead of it. Whatever goes wrong with one of them
// — a lost connection, an unanswered report — sends everything from the first unconfirmed event
// again.
import type { Socket } from 'socket.io-client';
import { io } from './socketClient';
import type { CatalogSnapshot } from '../../shared/catalog';
import { HUB_NAMESPACE } from '../../shared/hubProtocol';
import type { Chunk, JobInfo, JobResult } from '../../shared/jobs';
import type { JobRecorder } from '../jobs/recorder';
import { JobSpool, safeName, spoolLines, type SpoolEvent } from './jobSpool';

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
  /** Most reports sent and not yet answered; default 4. */
  window?: number;
}

/** One job this reporter knows about, from `started` until the hub has stored its end. */
interface JobState {
  id: string;
  info?: JobInfo;
  /** Not yet acknowledged, when not spooled; the first `queueSent` are in flight. */
  queue: SpoolEvent[];
  queueSent: number;
  /** A spool file holds this job's pending events; new events are appended to it. */
  spooled: boolean;
  /** Bytes of the spool file acknowledged, and sent (acknowledged or in flight). */
  spoolOffset: number;
  spoolSent: number;
  /** Acknowledged but not yet seen in the store. */
  retained: Chunk[];
  retainedFinished?: JobResult;
}

/** The hub's answer to a report; 'lost' when there was none in time (or no connection); `later` when it was busy (a rate limit) and the report is to be sent again after that many ms. */
type Answer = Settled | 'lost' | { later: number };
type Settled = 'ok' | { refused: string };

/** One report: what it covers of its job's queue or spool, and, once it came, the hub's answer. */
interface Batch {
  job: JobState;
  event: SpoolEvent;
  queueCount: number;
  spoolBytes: number;
  answer?: Settled;
}

type RawSocket = {
  connected: boolean;
  sendBuffer: unknown[];
  timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> };
};

/** The longest a busy hub may make this reporter wait before it sends again. */
const MAX_PAUSE_MS = 10_000;
/** After the hub closed the connection itself, this reporter connects again after this long. */
const RECONNECT_AFTER_CLOSE_MS = 1_000;

const textBytes = (chunks: readonly Chunk[]): number => chunks.reduce((n, c) => n + c.text.length, 0);
const isAckOk = (answer: unknown): boolean => typeof answer === 'object' && answer !== null && (answer as { ok?: unknown }).ok === true;
const errorOf = (answer: unknown): string => (typeof answer === 'object' && answer !== null && typeof (answer as { error?: unknown }).error === 'string' ? (answer as { error: string }).error : 'refused');
const badJobId = (jobId: string): Error => new Error(`A job id must be a plain file name, got ${JSON.stringify(jobId)}`);

export class HubReporter implements JobRecorder {
  private readonly jobs = new Map<string, JobState>();
  private readonly spool: JobSpool;
  private socket: Socket | undefined;
  /** Increases on every (re)connect and disconnect: answers of an older session are ignored. */
  private session = 0;
  /** Reports sent in this session and not yet applied, in the order they were sent. */
  private inFlight: Batch[] = [];
  private confirming = false;
  /** No report is sent before this time (the hub asked to wait). */
  private pausedUntil = 0;
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
  private readonly window: number;

  constructor(private readonly options: HubReporterOptions) {
    this.log = options.log ?? (() => undefined);
    this.ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    this.batchChunks = options.batchChunks ?? 1000;
    this.batchBytes = options.batchBytes ?? 512 * 1024;
    this.window = Math.max(1, options.window ?? 4);
    this.spool = new JobSpool(options.spoolDir, this.log);
    this.confirmTimer = setInterval(() => void this.confirm(), options.confirmIntervalMs ?? 250);
    this.confirmTimer.unref();
    this.connect(options.url, options.token);
  }

  /** Whether the socket to the hub is connected. */
  get connected(): boolean {
    return this.socket?.connected ?? false;
  }

  /** Counts for a status display: events queued in memory, jobs with a spool file, chunks acknowledged but not yet seen stored, reports awaiting their answer. */
  get stats(): { queued: number; spooledJobs: number; unconfirmedChunks: number; inFlight: number } {
    let queued = 0;
    let spooledJobs = 0;
    let unconfirmedChunks = 0;
    for (const job of this.jobs.values()) {
      queued += job.queue.length;
      if (job.spooled) spooledJobs++;
      unconfirmedChunks += job.retained.length;
    }
    return { queued, spooledJobs, unconfirmedChunks, inFlight: this.inFlight.length };
  }

  /** Jobs not yet known to be stored to their end. */
  get pendingJobs(): string[] {
    return [...this.jobs.keys()];
  }

  // ── JobRecorder ─────────────────────────────────────────────────────────────────────────

  started(job: JobInfo): void {
    if (!safeName(job.id)) throw badJobId(job.id);
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
    for (const jobId of this.spool.jobIds()) {
      if (this.jobs.has(jobId)) continue;
      const state = this.newState(jobId);
      state.spooled = true;
      const events = this.spool.read(jobId, 0).map((e) => e.event);
      state.info = events.find((e): e is Extract<SpoolEvent, { type: 'started' }> => e.type === 'started')?.job;
      if (!events.some((e) => e.type === 'finished')) {
        // It ended with the window, which wrote its spool last as it went away.
        const startedAt = state.info?.startedAt ?? Date.now();
        const finishedAt = Math.max(startedAt, this.spool.mtime(jobId) ?? Date.now());
        this.spool.append(jobId, [{ type: 'finished', result: { status: 'interrupted', exitCode: null, signal: null, finishedAt, durationMs: Math.max(0, finishedAt - startedAt) } }]);
      }
      taken.push(jobId);
    }
    if (taken.length > 0) this.log(`Replaying ${taken.length} spooled job(s) to the hub`);
    this.pump();
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
    return this.spool.file(jobId);
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
      this.pump();
      this.catalogDue ||= this.latestCatalog !== undefined;
      void this.sendCatalog();
    });
    socket.on('disconnect', (reason) => {
      this.log(`Disconnected from the hub (${reason}); spooling`);
      this.lost();
      // Socket.io does not reconnect by itself after the server closed the connection.
      if (reason === 'io server disconnect') setTimeout(() => this.socket === socket && !this.closed && socket.connect(), RECONNECT_AFTER_CLOSE_MS).unref();
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
  // files, to be sent again from the start of what the hub may not have stored. The answers of
  // the reports in flight no longer count: what they covered is in the spool files now.
  private lost(): void {
    this.session++;
    this.inFlight = [];
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
    const state: JobState = { id, queue: [], queueSent: 0, spooled: false, spoolOffset: 0, spoolSent: 0, retained: [] };
    this.jobs.set(id, state);
    return state;
  }

  private stateOf(jobId: string): JobState {
    const state = this.jobs.get(jobId);
    if (state) return state;
    if (!safeName(jobId)) throw badJobId(jobId);
    return this.newState(jobId);
  }

  // A new event goes out at once when the window has room (the lowest latency), else it waits in
  // the queue and leaves merged with those behind it in a batch when an answer frees a place.
  private add(state: JobState, event: SpoolEvent): void {
    if (state.spooled || this.closed || !this.connected) {
      if (!state.spooled) this.spill(state);
      this.spool.append(state.id, [event]);
    } else {
      state.queue.push(event);
    }
    this.pump();
  }

  // Moves all of a job's unstored events to its spool file: its start, what was acknowledged but
  // not stored, then what is pending, sent or not (the rest of the spool, or the queue).
  private spill(state: JobState): void {
    const head: SpoolEvent[] = [];
    if (state.info) head.push({ type: 'started', job: state.info });
    if (state.retained.length > 0) head.push({ type: 'chunks', chunks: state.retained });
    if (state.retainedFinished) head.push({ type: 'finished', result: state.retainedFinished });
    const rest = state.spooled ? this.spool.readText(state.id, state.spoolOffset) : spoolLines(state.queue);
    this.spool.replace(state.id, spoolLines(head) + rest);
    state.spooled = true;
    state.spoolOffset = 0;
    state.spoolSent = 0;
    state.queue = [];
    state.queueSent = 0;
    state.retained = [];
    state.retainedFinished = undefined;
  }

  // Once all of a spool is acknowledged, it is deleted at once so that new events go to the queue
  // again; nothing can be appended between the size check and the unlink.
  private unspoolIfAcknowledged(state: JobState): void {
    if ((this.spool.size(state.id) ?? 0) > state.spoolOffset) return;
    this.spool.remove(state.id);
    state.spooled = false;
    state.spoolOffset = 0;
    state.spoolSent = 0;
  }

  // ── sending ─────────────────────────────────────────────────────────────────────────────

  // The next report to send: what a job has not sent yet of its spool (in file order), else of its
  // queue; consecutive chunk events are merged up to the batch limits.
  private nextBatch(): Batch | undefined {
    for (const state of this.jobs.values()) {
      if (state.spooled) {
        const sized = this.spool.read(state.id, state.spoolSent, this.batchBytes);
        if (sized.length > 0) return this.merge(state, sized.map((s) => s.event), sized.map((s) => s.bytes));
        if (state.spoolSent === state.spoolOffset) this.unspoolIfAcknowledged(state);
      } else if (state.queue.length > state.queueSent) {
        return this.merge(state, state.queue.slice(state.queueSent, state.queueSent + this.batchChunks), undefined);
      }
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

  // Sends reports until the window is full or nothing is left to send. Each is emitted here,
  // synchronously, so reports leave in the order they were taken.
  private pump(): void {
    while (Date.now() >= this.pausedUntil && !this.closed && this.connected && this.inFlight.length < this.window) {
      const batch = this.nextBatch();
      if (!batch) break;
      const session = this.session;
      batch.job.queueSent += batch.queueCount;
      batch.job.spoolSent += batch.spoolBytes;
      this.inFlight.push(batch);
      void this.send(batch.job.id, batch.event).then((answer) => this.answered(batch, answer, session));
    }
    this.notifyIdle();
  }

  // Applies answers in the order the reports were sent: the hub answers in that order, and even if
  // an answer overtook an earlier one, a job's offsets only ever move over a prefix.
  private answered(batch: Batch, answer: Answer, session: number): void {
    if (session !== this.session) return; // Spilled meanwhile: the spool has it.
    if (answer === 'lost') {
      this.log(`The hub did not acknowledge a report within ${this.ackTimeoutMs} ms; reconnecting`);
      this.reconnect();
      return;
    }
    if (typeof answer === 'object' && 'later' in answer) {
      // What was sent after it may have been taken: everything from the first unconfirmed event
      // goes again, in order, once the hub has room.
      this.log(`The hub is busy; sending again in ${answer.later} ms`);
      this.lost();
      this.pausedUntil = Date.now() + answer.later;
      setTimeout(() => this.pump(), answer.later).unref();
      return;
    }
    batch.answer = answer;
    while (this.inFlight[0]?.answer) {
      const done = this.inFlight.shift()!;
      this.apply(done, done.answer!);
    }
    this.pump();
  }

  private apply({ job, event, queueCount, spoolBytes }: Batch, answer: Settled): void {
    if (this.jobs.get(job.id) !== job) return; // Forgotten after a refusal of an earlier report.
    if (spoolBytes > 0) {
      job.spoolOffset += spoolBytes;
    } else {
      job.queue.splice(0, queueCount);
      job.queueSent -= queueCount;
    }
    if (answer === 'ok') {
      if (event.type === 'chunks') job.retained.push(...event.chunks);
      if (event.type === 'finished') job.retainedFinished = event.result;
    } else {
      this.log(`The hub refused ${event.type} of job ${job.id}: ${answer.refused}`);
      if (event.type === 'finished' || (event.type === 'started' && !job.info)) this.forget(job);
    }
    if (job.spooled && job.spoolOffset === job.spoolSent) this.unspoolIfAcknowledged(job);
  }

  private send(jobId: string, event: SpoolEvent): Promise<Answer> {
    const [name, payload] =
      event.type === 'started' ? ['report:started', event.job] : event.type === 'chunks' ? ['report:chunks', { jobId, chunks: event.chunks }] : ['report:finished', { jobId, result: event.result }];
    return this.request(name, payload);
  }

  /** One acknowledged report; 'lost' when not connected or unanswered in time. */
  private async request(name: string, payload: unknown): Promise<Answer> {
    const raw = this.socket as unknown as RawSocket | undefined;
    if (!raw?.connected) return 'lost';
    try {
      const answer = await raw.timeout(this.ackTimeoutMs).emitWithAck(name, payload);
      if (isAckOk(answer)) return 'ok';
      const later = (answer as { retryAfterMs?: unknown } | null)?.retryAfterMs;
      return typeof later === 'number' && later >= 0 ? { later: Math.min(later, MAX_PAUSE_MS) } : { refused: errorOf(answer) };
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
        } else if (typeof answer === 'object' && 'later' in answer) {
          // Busy: the next connect or the next discovery sends it again.
          this.catalogDue = true;
          return;
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
    this.spool.remove(job.id);
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
    if (this.idleWaiters.size === 0 || !this.settled) return;
    for (const w of [...this.idleWaiters]) w();
  }
}
