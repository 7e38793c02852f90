// Reports this window's jobs to the hub over Socket.io, and never loses them: what the hub has not
// acknowledged — and what it acknowledged but has not yet stored — goes to a per-job spool file
// while the hub is away, and is sent again, in order, when it is back. The hub stores every
// report idempotently by (job id, seq), so sending something twice is harmless; sending out of
// order is not. Several reports are in flight at once (a window), which keeps order: one
// websocket delivers in order and the hub handles one socket's reports one after another, so a
// report is never stored before the ones sent ahead of it. Whatever goes wrong with one of them
// — a lost connection, an unanswered report — sends everything from the first unconfirmed event
// again. The hub says how far each job is stored, in its answers and as it stores (report:stored),
// and answers a job's end once the job is stored to it.
import type { CatalogSnapshot } from '../../shared/catalog';
import { BYTES_REPORT_MAX_CHARS, REPORT_MAX_CHARS } from '../../shared/hubProtocol';
import type { Chunk, JobInfo, JobResult } from '../../shared/jobs';
import type { JobRecorder } from '../jobs/recorder';
import { answerCancel, type CancelJob } from './cancelRequests';
import { answerRun, type RunJob } from './runAnswers';
import { CatalogSender } from './catalogSender';
import { HubConnection, type Answer } from './hubConnection';
import { reportAsBytes } from './reportBytes';
import type { SpoolEvent } from './jobSpool';
import { ReportQueues, type Batch } from './reportQueues';
import { spoolKey } from './reporterKey';

export interface HubReporterOptions {
  /** `http://host:port` of the hub. */
  url: string;
  /** An operator token. */
  token: string;
  /** A stable id of this window, which the hub tells every watcher: it names the reporter; the key (below) proves it. */
  reporterId: string;
  /** Per-job spool files `<jobId>.jsonl`; created 0700. One folder per window (see replaySpools). */
  spoolDir: string;
  /**
   * The window's reporter key (newReporterKey()), by which the hub lets only this window report the
   * jobs it starts: the same for every reporter the window starts, so that each goes on with its
   * jobs. Kept in spoolDir when that has no key yet; a key kept there wins (its spools were reported
   * with it). Default: the key kept in spoolDir, or a new one.
   */
  key?: string;
  /** The hub asked to cancel a job of this reporter; return false (or throw) when it could not be. */
  onCancel?: CancelJob;
  /** The hub asked this window to run a target; without it every such request is refused. */
  onRun?: RunJob;
  log?: (message: string) => void;
  /** Hears each connect to the hub and each loss of it. */
  onConnected?: (connected: boolean) => void;
  /** An unanswered report after this long counts as a lost connection; default 10 s. */
  ackTimeoutMs?: number;
  /** Most chunks / characters of text in one `report:chunks`; default 1000 / REPORT_MAX_CHARS, or BYTES_REPORT_MAX_CHARS to a hub that takes text as bytes. */
  batchChunks?: number;
  batchChars?: number;
  /** Most reports sent and not yet answered; default 4. */
  window?: number;
}

/** A report in flight, and once it came, the hub's answer (with how far its job is stored). */
interface Sent extends Batch {
  answer?: { storedSeq: number } | { refused: string };
}

export class HubReporter implements JobRecorder {
  private readonly queues: ReportQueues;
  private readonly connection: HubConnection;
  private readonly catalogs: CatalogSender;
  /** Increases on every connect and loss: answers of an older session are ignored. */
  private session = 0;
  /** Reports sent in this session and not yet applied, in the order they were sent. */
  private inFlight: Sent[] = [];
  // Set while the hub asked to wait: no report is sent until it fires. A timer and not a time to
  // compare Date.now() with: a timer can fire a moment before Date.now() reaches the time it was
  // set for, and the wall clock can step back meanwhile; either left the reporter waiting for an
  // event that never came, with its job's output in the spool.
  private pause: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly idleWaiters = new Set<() => void>();
  private readonly log: (message: string) => void;
  private readonly ackTimeoutMs: number;
  private readonly window: number;
  private readonly bytesReportChars: number;

  constructor(options: HubReporterOptions) {
    this.log = options.log ?? (() => undefined);
    this.ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    this.window = Math.max(1, options.window ?? 4);
    this.queues = new ReportQueues(options.spoolDir, this.log, options.batchChunks ?? 1000, options.batchChars ?? REPORT_MAX_CHARS);
    this.bytesReportChars = options.batchChars ?? BYTES_REPORT_MAX_CHARS;
    this.catalogs = new CatalogSender(
      (snapshot) => this.connection.request('report:catalog', snapshot, this.ackTimeoutMs),
      () => ({ open: !this.closed && this.connected, session: this.session }),
      this.log,
    );
    this.connection = new HubConnection(
      options.url,
      options.token,
      { reporter: options.reporterId, key: spoolKey(this.queues.spool.dir, options.key, this.log) },
      {
        connected: () => {
          this.session++;
          this.pump();
          this.catalogs.connected();
          options.onConnected?.(true);
        },
        disconnected: (reason) => {
          this.log(`Disconnected from the hub (${reason}); spooling`);
          this.lost();
          options.onConnected?.(false);
        },
        stored: ({ jobId, storedSeq }) => {
          const job = this.queues.jobs.get(jobId);
          if (!job) return;
          this.queues.stored(job, storedSeq);
          this.notifyIdle();
        },
        cancel: (request, reply) => void answerCancel(request, reply, (jobId) => this.queues.jobs.has(jobId), options.onCancel),
        run: (request, reply) => void answerRun(request, reply, options.onRun),
      },
      this.log,
    );
  }

  /** Whether the socket to the hub is connected. */
  get connected(): boolean {
    return this.connection.connected;
  }

  /** Counts for a status display: events queued in memory, jobs with a spool file, chunks acknowledged but not yet stored, reports awaiting their answer. */
  get stats(): { queued: number; spooledJobs: number; unconfirmedChunks: number; inFlight: number } {
    let queued = 0;
    let spooledJobs = 0;
    let unconfirmedChunks = 0;
    for (const job of this.queues.jobs.values()) {
      queued += job.queue.length;
      if (job.spooled) spooledJobs++;
      unconfirmedChunks += job.retained.length;
    }
    return { queued, spooledJobs, unconfirmedChunks, inFlight: this.inFlight.length };
  }

  /** Jobs not yet known to be stored to their end. */
  get pendingJobs(): string[] {
    return [...this.queues.jobs.keys()];
  }

  // ── JobRecorder ─────────────────────────────────────────────────────────────────────────

  started(job: JobInfo): void {
    const state = this.queues.stateOf(job.id);
    this.add(state.id, { type: 'started', job });
    state.info = job;
  }

  chunks(jobId: string, chunks: Chunk[]): void {
    if (chunks.length === 0) return;
    this.add(jobId, { type: 'chunks', chunks });
  }

  finished(jobId: string, result: JobResult): void {
    this.add(jobId, { type: 'finished', result });
  }

  // ── control ─────────────────────────────────────────────────────────────────────────────

  /** Points the reporter at another hub (e.g. one started anew on another port). */
  retarget(url: string, token: string): void {
    if (!this.closed) this.connection.retarget(url, token);
  }

  /** Hands the hub what discovery saw (see CatalogSender). */
  catalog(snapshot: CatalogSnapshot): void {
    this.catalogs.set(snapshot);
  }

  // Takes over the spool files in spoolDir that this reporter does not own (left by an earlier
  // life of this window) and sends them. A job whose spool has no end is ended as interrupted:
  // its process died with that window. Returns the job ids taken over.
  replaySpools(): string[] {
    const taken: string[] = [];
    const spool = this.queues.spool;
    for (const jobId of spool.jobIds()) {
      if (this.queues.jobs.has(jobId)) continue;
      const state = this.queues.stateOf(jobId);
      state.spooled = true;
      const events = spool.read(jobId, 0).map((e) => e.event);
      state.info = events.find((e): e is Extract<SpoolEvent, { type: 'started' }> => e.type === 'started')?.job;
      if (!events.some((e) => e.type === 'finished')) {
        // It ended with the window, which wrote its spool last as it went away.
        const startedAt = state.info?.startedAt ?? Date.now();
        const finishedAt = Math.max(startedAt, spool.mtime(jobId) ?? Date.now());
        spool.append(jobId, [{ type: 'finished', result: { status: 'interrupted', exitCode: null, signal: null, finishedAt, durationMs: Math.max(0, finishedAt - startedAt) } }]);
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
    this.connection.close();
    for (const w of this.idleWaiters) w();
  }

  /** True when the hub has stored everything reported so far (running jobs may still report more). */
  get settled(): boolean {
    for (const job of this.queues.jobs.values()) if (job.spooled || job.queue.length > 0 || job.retained.length > 0) return false;
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
    return this.queues.spool.file(jobId);
  }

  // ── sending ─────────────────────────────────────────────────────────────────────────────

  // A new event goes out at once when the window has room (the lowest latency), else it waits in
  // the queue and leaves merged with those behind it in a batch when an answer frees a place.
  private add(jobId: string, event: SpoolEvent): void {
    this.queues.add(this.queues.stateOf(jobId), event, !this.closed && this.connected);
    this.pump();
  }

  // The connection is gone (or the hub asked to wait): everything not stored goes to spool files,
  // to be sent again from the start of what the hub may not have stored. The answers of the
  // reports in flight no longer count: what they covered is in the spool files now.
  private lost(): void {
    this.session++;
    this.inFlight = [];
    for (const state of this.queues.jobs.values()) this.queues.spill(state);
  }

  // Sends reports until the window is full or nothing is left to send. Each is emitted here,
  // synchronously, so reports leave in the order they were taken.
  private pump(): void {
    while (!this.pause && !this.closed && this.connected && this.inFlight.length < this.window) {
      const batch = this.queues.take(this.connection.takesBytes ? this.bytesReportChars : undefined);
      if (!batch) break;
      const sent: Sent = batch;
      const session = this.session;
      this.inFlight.push(sent);
      void this.send(batch.job.id, batch.event).then((answer) => this.answered(sent, answer, session));
    }
    this.notifyIdle();
  }

  private send(jobId: string, event: SpoolEvent): Promise<Answer<{ storedSeq: number }>> {
    const timeout = this.ackTimeoutMs;
    if (event.type === 'started') return this.connection.request('report:started', event.job, timeout);
    if (event.type === 'chunks') {
      return this.connection.request('report:chunks', this.connection.takesBytes ? reportAsBytes(jobId, event.chunks) : { jobId, chunks: event.chunks }, timeout);
    }
    return this.connection.request('report:finished', { jobId, result: event.result }, timeout);
  }

  // Applies answers in the order the reports were sent: the hub answers in that order, and even if
  // an answer overtook an earlier one, a job's offsets only ever move over a prefix.
  private answered(sent: Sent, answer: Answer<{ storedSeq: number }>, session: number): void {
    if (session !== this.session) return; // Spilled meanwhile: the spool has it.
    if (answer === 'lost') {
      this.log(`The hub did not acknowledge a report within ${this.ackTimeoutMs} ms; reconnecting`);
      this.connection.reconnect();
      return;
    }
    if ('later' in answer) {
      // What was sent after it may have been taken: everything from the first unconfirmed event
      // goes again, in order, once the hub has room.
      this.log(`The hub is busy; sending again in ${answer.later} ms`);
      this.lost();
      clearTimeout(this.pause);
      this.pause = setTimeout(() => {
        this.pause = undefined;
        this.pump();
      }, answer.later).unref();
      return;
    }
    sent.answer = 'ok' in answer ? answer.ok : answer;
    while (this.inFlight[0]?.answer) this.apply(this.inFlight.shift()!);
    this.pump();
  }

  private apply(sent: Sent): void {
    const { job, event, answer } = sent;
    if (this.queues.jobs.get(job.id) !== job) return; // Forgotten after a refusal of an earlier report.
    this.queues.acknowledged(sent);
    if (answer && 'refused' in answer) {
      this.log(`The hub refused ${event.type} of job ${job.id}: ${answer.refused}`);
      if (event.type === 'finished' || (event.type === 'started' && !job.info)) this.queues.forget(job);
    } else if (event.type === 'finished') {
      // Answered once stored to its end: the job is done.
      this.queues.forget(job);
    } else {
      if (event.type === 'chunks') job.retained.push(...event.chunks);
      this.queues.stored(job, answer?.storedSeq ?? -1);
    }
  }

  private notifyIdle(): void {
    if (this.idleWaiters.size === 0 || !this.settled) return;
    for (const w of [...this.idleWaiters]) w();
  }
}
