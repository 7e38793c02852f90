import type { BatchWriter } from '../core/store/batchWriter';
import type { JobOwner, JobStore, OwnedJob } from '../core/store/jobStore';
import type { Ack, JobDoneEvent, JobLogEvent, JoinAnswer, StoredAnswer } from '../shared/hubProtocol';
import { isActive, problemCounts, type Chunk, type JobInfo, type JobResult, type JobStatus } from '../shared/jobs';
import { mayReport, notYours, ownerOf, type Reporting } from './jobOwners';
import type { Peers } from './peers';
import { logEvent, RemoteFeed } from './remoteFeed';
import { written } from './socketDrain';
import { ALL_JOBS_ROOM, jobRoom, type HubNamespace, type HubSocket, type PeerJobEvent } from './types';

/** A job some operator reported and that has not finished. */
interface LiveJob {
  info: JobInfo;
  /** The operator socket that reports it; undefined while its window is away. */
  owner: HubSocket | undefined;
  /** Who may report it (jobOwners.ts): the socket that takes it over must hold the same key. */
  ownedBy: JobOwner;
  /** The next seq to send live: lower seqs (a replayed spool) are stored but not sent again. */
  nextSeq: number;
  graceTimer?: NodeJS.Timeout;
}

type Pending = { kind: 'log'; event: JobLogEvent } | { kind: 'done'; event: JobDoneEvent };

/** A socket that joined a job and is being sent stored output; live events wait in `buffer`. */
interface CatchingUp {
  /** Left out of the broadcast of job:done, which it gets from its buffer after the replay. */
  socketId: string;
  buffer: Pending[];
}

const REPLAY_PAGE = 1000;
/** A joiner of a job reported to another hub waits this long at most for that hub to store what it sent live. */
const STORE_WAIT_MS = 5_000;
const STORE_POLL_MS = 50;
/** A read waits at most this long for the writes acknowledged before it. */
const STORED_WAIT_MS = 2_000;
/** Ended jobs remembered, so that a late message from another hub cannot revive one. */
const ENDED_KEPT = 10_000;

const interrupted = (startedAt: number): JobResult => {
  const now = Date.now();
  return { status: 'interrupted', exitCode: null, signal: null, finishedAt: now, durationMs: Math.max(0, now - startedAt) };
};

// The jobs in flight: what operators report goes to the BatchWriter and, at once, to the job's
// room. A socket that joins with `fromSeq` is first sent what is stored (after a flush, so the
// store holds everything sent live before it joined), while live events for it are buffered;
// then the buffer is sent (skipping seqs already replayed) and the socket enters the room, in one
// synchronous step: no gap and no repeat at the switch.
// With other hubs on the same database, what is reported here is also sent to them (`peers`), and
// what is reported there arrives as a RemoteFeed, in order, to this hub's own sockets: every hub
// emits only to its local sockets, so a joiner here is caught up the same way for either kind.
export class LiveJobs {
  private readonly live = new Map<string, LiveJob>();
  /** Jobs reported in this life of the hub, live or ended, and not handed to another hub: the sweeps leave them alone. */
  private readonly heard = new Set<string>();
  private readonly catching = new Map<string, Set<CatchingUp>>();
  /** Running jobs reported to other hubs. */
  private readonly remote = new Map<string, RemoteFeed>();
  private readonly ended = new Set<string>();
  private stopped = false;

  constructor(
    private readonly nsp: HubNamespace,
    private readonly store: JobStore,
    private readonly writer: BatchWriter,
    private readonly graceMs: number,
    readonly peers: Peers,
    /** Told of every job that ends here (not of those other hubs end). */
    private readonly onEnded: (event: JobDoneEvent) => void = () => undefined,
  ) {
    // Tells a version 2 reporter what it may forget, also when it has nothing more to report.
    writer.on('stored', (jobId, storedSeq) => {
      const owner = this.live.get(jobId)?.owner;
      if (owner && owner.data.protocol >= 2) owner.emit('report:stored', { jobId, storedSeq });
    });
  }

  get runningCount(): number {
    return this.live.size;
  }

  isLive(jobId: string): boolean {
    return this.live.has(jobId);
  }

  // A job is reported started once, or twice when it waited for its VM: `queued`, then `running`
  // when it begins (stored and announced again, with the time it began). A new job is stored, with
  // its owner, before it is announced: once any client can know its id, this hub after a restart
  // and every other hub on the database know who may report it. A start of a job owned by another
  // (mayReport) is refused, and changes nothing.
  async started(socket: HubSocket, job: JobInfo): Promise<Ack<StoredAnswer>> {
    const status: JobStatus = job.status === 'queued' ? 'queued' : 'running';
    const known = this.live.get(job.id);
    if (known) {
      if (!mayReport(known.ownedBy, socket.data)) return notYours('report:started', job.id);
      this.takeOver(known, socket);
      if (known.info.status === 'queued' && status === 'running') this.began(known, job, socket.data);
      return this.answer(job.id, {});
    }
    const claim = await this.store.claimJob({ ...job, status }, socket.data.reporter, socket.data.keyHash);
    if (!claim.created && !mayReport(claim.owner, socket.data)) return notYours('report:started', job.id);
    const stored = claim.created ? undefined : claim.job;
    if (stored && !isActive(stored.status)) return this.answer(job.id, {});
    // Stored already when new; else it may have waited queued and now runs.
    if (stored) this.writer.started({ ...job, status }, socket.data.reporter, socket.data.keyHash);
    // Its window may have moved here from another hub, which already sent some output live.
    const feed = this.remote.get(job.id);
    feed?.close();
    this.remote.delete(job.id);
    const nextSeq = Math.max(stored?.lastSeq === undefined ? 0 : stored.lastSeq + 1, feed?.nextSeq ?? 0);
    const entry: LiveJob = { info: { ...job, status }, owner: undefined, ownedBy: claim.created ? ownerOf(socket.data) : claim.owner, nextSeq };
    this.live.set(job.id, entry);
    this.heard.add(job.id);
    this.takeOver(entry, socket);
    const announced = { ...job, status, reporter: socket.data.reporter };
    // Announced when new here, or when the store still says it waits.
    const announce = !stored || stored.status !== status;
    if (announce) this.nsp.local.to([ALL_JOBS_ROOM, jobRoom(job.id)]).emit('job:started', announced);
    this.peers.send({ type: 'started', job: announced, nextSeq, announce });
    return this.answer(job.id, {});
  }

  private began(entry: LiveJob, job: JobInfo, by: Reporting): void {
    entry.info = { ...entry.info, status: 'running', startedAt: job.startedAt };
    this.writer.started(entry.info, by.reporter, by.keyHash);
    const announced = { ...entry.info, reporter: by.reporter };
    this.nsp.local.to([ALL_JOBS_ROOM, jobRoom(job.id)]).emit('job:started', announced);
    this.peers.send({ type: 'started', job: announced, nextSeq: entry.nextSeq, announce: true });
  }

  async chunks(socket: HubSocket, jobId: string, chunks: Chunk[]): Promise<Ack<{ accepted: number } & StoredAnswer>> {
    const job = this.live.get(jobId);
    if (!job) return { ok: false, error: `Job ${jobId} is not running here: send report:started first` };
    if (!mayReport(job.ownedBy, socket.data)) return notYours('report:chunks', jobId);
    this.takeOver(job, socket);
    // A seq twice in one report is taken once, the first (the sort keeps their order), as the store
    // keeps the first of a seq: watchers are sent what a replay reads back.
    const ordered = [...chunks].sort((a, b) => a.seq - b.seq).filter((c, i, all) => i === 0 || c.seq !== all[i - 1].seq);
    this.writer.chunks(jobId, ordered);
    const fresh = ordered.filter((c) => c.seq >= job.nextSeq);
    if (fresh.length > 0) job.nextSeq = fresh[fresh.length - 1].seq + 1;
    // Output nobody watches here or elsewhere is not turned into events.
    if (this.peers.enabled || this.watched(jobId) || this.catching.has(jobId)) {
      const events = fresh.map((c) => logEvent(jobId, c));
      this.emitLog(jobId, events);
      if (events.length > 0) this.peers.send({ type: 'log', jobId, events });
    }
    return this.answer(jobId, { accepted: chunks.length });
  }

  // Answered once the job is stored to its end (the writer stores in order), so that its reporter
  // may forget it. A job must be known: live or reported here, or stored (its start reached an
  // earlier life of this hub, or another hub); the end of any other job is refused, as its output is.
  // So is the end of a job owned by another (mayReport), ended or not: its stored end is kept;
  // and no end is acknowledged that was not stored.
  async finished(socket: HubSocket, jobId: string, result: JobResult): Promise<Ack<StoredAnswer>> {
    const reportedHere = this.live.has(jobId) || this.heard.has(jobId);
    const owned = this.live.has(jobId) ? undefined : await this.storedStart(jobId);
    const job = this.live.get(jobId);
    if (!job && !owned && !this.heard.has(jobId)) return { ok: false, error: `Job ${jobId} was never started: send report:started first` };
    const owner = job?.ownedBy ?? owned?.owner;
    if (owner && !mayReport(owner, socket.data)) return notYours('report:finished', jobId);
    if (job) this.takeOver(job, socket);
    this.heard.add(jobId);
    this.writer.finished(jobId, result);
    // A job reported here has ended here, or ends now.
    const stored = reportedHere ? undefined : owned?.job;
    if (job || this.remote.has(jobId) || (stored && isActive(stored.status))) this.endHere({ jobId, ...result }, job ? job.nextSeq - 1 : (stored?.lastSeq ?? -1));
    await this.writer.flush();
    // A writer that stopped for good stored neither the end nor what waited before it: answered ok,
    // the reporter would forget them. Asked to send again, it keeps them for the next hub.
    const failure = this.writer.failure;
    if (failure) return { ok: false, error: `${failure}: the end of job ${jobId} is not stored; send it again`, retryAfterMs: 1000 };
    return { ok: true, storedSeq: this.writer.storedSeq(jobId) };
  }

  // The stored job, with its owner, of an end reported here for a job not running here. One another
  // hub told of (started or ended there) and that an older hub, which announces before it stores,
  // may not have stored yet, is waited for, STORE_WAIT_MS at most, lest the end be written before
  // the start and lost. One started here was stored before it was announced.
  private async storedStart(jobId: string): Promise<OwnedJob | undefined> {
    const deadline = Date.now() + STORE_WAIT_MS;
    for (;;) {
      const stored = await this.store.getOwnedJob(jobId);
      if (stored || this.live.has(jobId) || this.heard.has(jobId) || !(this.remote.has(jobId) || this.ended.has(jobId)) || Date.now() >= deadline) return stored;
      await new Promise((resolve) => setTimeout(resolve, STORE_POLL_MS));
    }
  }

  /** Reported to this hub in its life and not handed to another: its own hub answers for it. */
  isClaimed(jobId: string): boolean {
    return this.live.has(jobId) || this.heard.has(jobId);
  }

  /** A job left running by a hub that is gone ends as interrupted. */
  interruptLeft(job: { id: string; startedAt: number; lastSeq?: number }): void {
    const result = interrupted(job.startedAt);
    try {
      this.writer.finished(job.id, result);
    } catch {
      // The writer is closed: the hub is stopping, a later sweep ends it.
      return;
    }
    this.endHere({ jobId: job.id, ...result }, job.lastSeq ?? -1);
  }

  // What another hub says about a job reported to it. It is sent to this hub's sockets in order of
  // seq; a job this hub has live and another hub now reports (its window reconnected there) is
  // let go without an end.
  fromPeer(event: PeerJobEvent): void {
    const jobId = event.type === 'started' ? event.job.id : event.type === 'log' ? event.jobId : event.event.jobId;
    if (this.stopped || this.ended.has(jobId)) return;
    switch (event.type) {
      case 'started': {
        const mine = this.live.get(jobId);
        if (mine) {
          clearTimeout(mine.graceTimer);
          this.live.delete(jobId);
          this.heard.delete(jobId);
        }
        this.feed(jobId).anchor(mine?.nextSeq ?? event.nextSeq);
        if (event.announce) this.nsp.local.to([ALL_JOBS_ROOM, jobRoom(jobId)]).emit('job:started', event.job);
        break;
      }
      case 'log':
        if (this.live.has(jobId)) return;
        this.feed(jobId).push(event.events);
        break;
      case 'done': {
        const feed = this.remote.get(jobId);
        if (!feed) return this.end(jobId, event.event);
        feed.finish(event.event, event.lastSeq);
        break;
      }
      default:
        return event satisfies never;
    }
    this.anchorUnwatched(jobId);
  }

  /** The operator socket that reports a job, if it is connected. */
  ownerOf(jobId: string): HubSocket | undefined {
    return this.live.get(jobId)?.owner;
  }

  /**
   * Resolves once everything this hub acknowledged is stored, so that a list or a lookup shows
   * it: a job reported a moment ago must not read as still running after its end was heard. While
   * the database is slow or away it waits STORED_WAIT_MS at most: a reader then gets what is
   * stored (or the database's error) rather than no answer.
   */
  async stored(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, STORED_WAIT_MS)));
    try {
      await Promise.race([this.writer.flush(), waited]);
    } catch {
      // The writer is closed: the hub is stopping, and reads what was stored.
    } finally {
      clearTimeout(timer);
    }
  }

  /** An operator went away: its jobs are interrupted unless it (or another) reports them within the grace period. */
  disconnected(socket: HubSocket): void {
    if (this.stopped) return;
    for (const [jobId, job] of this.live) {
      if (job.owner !== socket) continue;
      job.owner = undefined;
      job.graceTimer = setTimeout(() => this.interrupt(jobId), this.graceMs);
    }
  }

  async join(socket: HubSocket, jobId: string, fromSeq: number | undefined): Promise<Ack<JoinAnswer>> {
    const me: CatchingUp = { socketId: socket.id, buffer: [] };
    const waiting = this.catching.get(jobId) ?? new Set();
    waiting.add(me);
    this.catching.set(jobId, waiting);
    try {
      // Not bounded like stored(): a replay that began before the writes were stored would leave a gap.
      await this.writer.flush();
      const stored = await this.store.getJob(jobId);
      if (!stored && !this.live.has(jobId) && !this.remote.has(jobId)) return { ok: false, error: `No job ${jobId}` };
      let next = fromSeq ?? Number.MAX_SAFE_INTEGER;
      let lastSeq: number | undefined;
      const deadline = Date.now() + STORE_WAIT_MS;
      while (fromSeq !== undefined && socket.connected) {
        const until = this.replayUntil(jobId, me);
        if (next >= until) break;
        const page = (await this.store.readEvents(jobId, next, { limit: Math.min(REPLAY_PAGE, until - next) })).filter((c) => c.seq < until);
        if (page.length === 0) {
          // Another hub sent output live that its writer has not stored yet: it will, within ms.
          if (until === Infinity || Date.now() >= deadline) break;
          await new Promise((resolve) => setTimeout(resolve, STORE_POLL_MS));
          continue;
        }
        for (const c of page) socket.emit('job:log', logEvent(jobId, c));
        lastSeq = page[page.length - 1].seq;
        next = lastSeq + 1;
        await written(socket);
      }
      // From here to join() nothing awaits: no live event can slip between the buffer and the room.
      let done: JobDoneEvent | undefined;
      for (const pending of me.buffer) {
        if (pending.kind === 'done') {
          done = pending.event;
        } else if (fromSeq === undefined || pending.event.seq >= next) {
          socket.emit('job:log', pending.event);
          lastSeq = pending.event.seq;
          next = lastSeq + 1;
        }
      }
      waiting.delete(me);
      void socket.join(jobRoom(jobId));
      // A job reported to another hub that this hub has not heard of yet: live output starts after the replay.
      if (!done && fromSeq !== undefined && stored && isActive(stored.status) && !this.live.has(jobId) && !this.ended.has(jobId)) this.feed(jobId).anchor(next);
      if (!done && stored && !isActive(stored.status) && !this.live.has(jobId) && !this.remote.has(jobId)) {
        const finishedAt = stored.finishedAt ?? stored.startedAt;
        done = { jobId, status: stored.status, exitCode: stored.exitCode ?? null, signal: stored.signal ?? null, finishedAt, durationMs: stored.durationMs ?? finishedAt - stored.startedAt, ...problemCounts(stored) };
      }
      if (done) socket.emit('job:done', done);
      return { ok: true, lastSeq, status: done?.status ?? 'running' };
    } finally {
      waiting.delete(me);
      if (waiting.size === 0 && this.catching.get(jobId) === waiting) this.catching.delete(jobId);
      this.anchorUnwatched(jobId);
    }
  }

  /** Stops the grace timers (the hub is stopping; the next life sweeps what is left). */
  stop(): void {
    this.stopped = true;
    for (const job of this.live.values()) clearTimeout(job.graceTimer);
    for (const feed of this.remote.values()) feed.close();
  }

  // Where a replay from the store stops and live events take over. For a job reported here the
  // store holds (after a flush) all that was sent live; for one reported elsewhere it may lag, so
  // the replay must reach the first event buffered for the joiner, or else the next one to be sent.
  private replayUntil(jobId: string, me: CatchingUp): number {
    if (this.live.has(jobId)) return Infinity;
    for (const pending of me.buffer) if (pending.kind === 'log') return pending.event.seq;
    return this.remote.get(jobId)?.nextSeq ?? Infinity;
  }

  private feed(jobId: string): RemoteFeed {
    let feed = this.remote.get(jobId);
    if (!feed) {
      feed = new RemoteFeed(jobId, this.store, { log: (event) => this.emitLog(jobId, [event]), done: (event) => this.end(jobId, event) });
      this.remote.set(jobId, feed);
    }
    return feed;
  }

  /** A feed whose start nobody here waits to learn from a replay starts at what it holds. */
  private anchorUnwatched(jobId: string): void {
    const feed = this.remote.get(jobId);
    if (feed && feed.nextSeq === undefined && !this.catching.has(jobId)) feed.anchorAtHeld();
  }

  private watched(jobId: string): boolean {
    return (this.nsp.adapter.rooms.get(jobRoom(jobId))?.size ?? 0) > 0;
  }

  /** To this hub's sockets in the job's room, and to those catching up on it. */
  private emitLog(jobId: string, events: readonly JobLogEvent[]): void {
    // Socket.io encodes a broadcast before it looks for sockets: a job nobody watches is not encoded.
    const room = this.watched(jobId) ? this.nsp.local.to(jobRoom(jobId)) : undefined;
    const waiting = this.catching.get(jobId);
    for (const event of events) {
      room?.emit('job:log', event);
      if (waiting) for (const w of waiting) w.buffer.push({ kind: 'log', event });
    }
  }

  private takeOver(job: LiveJob, socket: HubSocket): void {
    clearTimeout(job.graceTimer);
    job.graceTimer = undefined;
    job.owner = socket;
  }

  private interrupt(jobId: string): void {
    const job = this.live.get(jobId);
    if (!job || job.owner) return;
    const result = interrupted(job.info.startedAt);
    try {
      this.writer.finished(jobId, result);
    } catch {
      // The writer is closed: the hub is stopping.
    }
    this.endHere({ jobId, ...result }, job.nextSeq - 1);
  }

  /** Ends a job reported here, on this hub and the others (after its output up to `lastSeq`). */
  private endHere(event: JobDoneEvent, lastSeq: number): void {
    this.end(event.jobId, event);
    this.peers.send({ type: 'done', event, lastSeq });
    this.onEnded(event);
  }

  private end(jobId: string, event: JobDoneEvent): void {
    const job = this.live.get(jobId);
    if (job) clearTimeout(job.graceTimer);
    this.live.delete(jobId);
    this.remote.get(jobId)?.close();
    this.remote.delete(jobId);
    this.ended.add(jobId);
    if (this.ended.size > ENDED_KEPT) this.ended.delete(this.ended.values().next().value!);
    const waiting = [...(this.catching.get(jobId) ?? [])];
    this.nsp.local.to([jobRoom(jobId), ALL_JOBS_ROOM]).except(waiting.map((w) => w.socketId)).emit('job:done', event);
    for (const w of waiting) w.buffer.push({ kind: 'done', event });
  }

  /** A report's answer, with what is stored of its job; once the queue is short enough. */
  private async answer<T extends object>(jobId: string, extra: T): Promise<{ ok: true } & T & StoredAnswer> {
    await this.writer.room();
    return { ok: true, ...extra, storedSeq: this.writer.storedSeq(jobId) };
  }
}
