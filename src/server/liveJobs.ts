import type { BatchWriter } from '../core/store/batchWriter';
import type { JobStore } from '../core/store/jobStore';
import type { Ack, JobDoneEvent, JobLogEvent, JoinAnswer } from '../shared/hubProtocol';
import type { Chunk, JobInfo, JobResult } from '../shared/jobs';
import { ALL_JOBS_ROOM, jobRoom, type HubNamespace, type HubSocket } from './types';

/** A job some operator reported and that has not finished. */
interface LiveJob {
  info: JobInfo;
  /** The operator socket that reports it; undefined while its window is away. */
  owner: HubSocket | undefined;
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

/** Above this much queued output, reports are acknowledged only once it is stored. */
const BACKPRESSURE_BYTES = 16 * 1024 * 1024;
const REPLAY_PAGE = 1000;

const interrupted = (startedAt: number): JobResult => {
  const now = Date.now();
  return { status: 'interrupted', exitCode: null, signal: null, finishedAt: now, durationMs: Math.max(0, now - startedAt) };
};

/** The part of engine.io's connection that tells whether what was sent has left the process. */
interface Connection {
  writeBuffer: unknown[];
  once(event: 'drain' | 'close', listener: () => void): void;
  off(event: 'drain' | 'close', listener: () => void): void;
}

// Resolves once the socket's transport took everything queued (or the socket closed): a long
// replay is sent a page at a time at the pace the client reads, not all into memory.
function written(socket: HubSocket): Promise<void> {
  const conn = socket.conn as unknown as Connection;
  if (!Array.isArray(conn.writeBuffer) || conn.writeBuffer.length === 0 || !socket.connected) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      conn.off('drain', done);
      conn.off('close', done);
      resolve();
    };
    conn.once('drain', done);
    conn.once('close', done);
  });
}

// The jobs in flight: what operators report goes to the BatchWriter and, at once, to the job's
// room. A socket that joins with `fromSeq` is first sent what is stored (after a flush, so the
// store holds everything sent live before it joined), while live events for it are buffered;
// then the buffer is sent (skipping seqs already replayed) and the socket enters the room, in one
// synchronous step: no gap and no repeat at the switch.
export class LiveJobs {
  private readonly live = new Map<string, LiveJob>();
  /** Every job reported in this life of the hub, live or ended: the start-up sweep leaves them alone. */
  private readonly heard = new Set<string>();
  private readonly catching = new Map<string, Set<CatchingUp>>();
  private stopped = false;

  constructor(
    private readonly nsp: HubNamespace,
    private readonly store: JobStore,
    private readonly writer: BatchWriter,
    private readonly graceMs: number,
  ) {}

  get runningCount(): number {
    return this.live.size;
  }

  isLive(jobId: string): boolean {
    return this.live.has(jobId);
  }

  async started(socket: HubSocket, job: JobInfo): Promise<Ack> {
    const known = this.live.get(job.id);
    if (known) {
      this.takeOver(known, socket);
      return { ok: true };
    }
    const stored = await this.store.getJob(job.id);
    if (stored && stored.status !== 'running') return { ok: true };
    this.writer.started({ ...job, status: 'running' }, socket.data.reporter);
    const entry: LiveJob = { info: job, owner: undefined, nextSeq: stored?.lastSeq === undefined ? 0 : stored.lastSeq + 1 };
    this.live.set(job.id, entry);
    this.heard.add(job.id);
    this.takeOver(entry, socket);
    if (!stored) this.nsp.to([ALL_JOBS_ROOM, jobRoom(job.id)]).emit('job:started', job);
    return this.backpressure({ ok: true });
  }

  async chunks(socket: HubSocket, jobId: string, chunks: Chunk[]): Promise<Ack<{ accepted: number }>> {
    const job = this.live.get(jobId);
    if (!job) return { ok: false, error: `Job ${jobId} is not running here: send report:started first` };
    this.takeOver(job, socket);
    const ordered = [...chunks].sort((a, b) => a.seq - b.seq);
    this.writer.chunks(jobId, ordered);
    // Socket.io encodes a broadcast before it looks for sockets: a job nobody watches is not encoded.
    const watched = (this.nsp.adapter.rooms.get(jobRoom(jobId))?.size ?? 0) > 0;
    const room = this.nsp.to(jobRoom(jobId));
    const waiting = this.catching.get(jobId);
    for (const chunk of ordered) {
      if (chunk.seq < job.nextSeq) continue;
      job.nextSeq = chunk.seq + 1;
      if (!watched && !waiting) continue;
      const event: JobLogEvent = { jobId, seq: chunk.seq, ts: chunk.ts, stream: chunk.stream, chunk: chunk.text };
      if (watched) room.emit('job:log', event);
      if (waiting) for (const w of waiting) w.buffer.push({ kind: 'log', event });
    }
    return this.backpressure({ ok: true, accepted: chunks.length });
  }

  async finished(socket: HubSocket, jobId: string, result: JobResult): Promise<Ack> {
    const job = this.live.get(jobId);
    if (job) this.takeOver(job, socket);
    this.heard.add(jobId);
    this.writer.finished(jobId, result);
    if (job || (await this.store.getJob(jobId))?.status === 'running') this.end(jobId, { jobId, status: result.status, exitCode: result.exitCode });
    return this.backpressure({ ok: true });
  }

  /** The operator socket that reports a job, if it is connected. */
  ownerOf(jobId: string): HubSocket | undefined {
    return this.live.get(jobId)?.owner;
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

  /** Jobs left `running` by an earlier life of the hub end as interrupted unless reported again within the grace period. */
  sweepLater(jobs: readonly { id: string; startedAt: number }[]): NodeJS.Timeout {
    return setTimeout(() => {
      for (const job of jobs) {
        // A job resumed and ended within the grace period keeps the end it was reported with.
        if (this.heard.has(job.id)) continue;
        try {
          this.writer.finished(job.id, interrupted(job.startedAt));
        } catch {
          // The writer is closed: the hub is stopping, the next life sweeps again.
        }
      }
    }, this.graceMs);
  }

  async join(socket: HubSocket, jobId: string, fromSeq: number | undefined): Promise<Ack<JoinAnswer>> {
    const me: CatchingUp = { socketId: socket.id, buffer: [] };
    const waiting = this.catching.get(jobId) ?? new Set();
    waiting.add(me);
    this.catching.set(jobId, waiting);
    try {
      await this.writer.flush();
      const stored = await this.store.getJob(jobId);
      if (!stored && !this.live.has(jobId)) return { ok: false, error: `No job ${jobId}` };
      let next = fromSeq ?? Number.MAX_SAFE_INTEGER;
      let lastSeq: number | undefined;
      while (fromSeq !== undefined && socket.connected) {
        const page = await this.store.readEvents(jobId, next, { limit: REPLAY_PAGE });
        if (page.length === 0) break;
        for (const c of page) socket.emit('job:log', { jobId, seq: c.seq, ts: c.ts, stream: c.stream, chunk: c.text });
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
      socket.join(jobRoom(jobId));
      if (!done && stored && stored.status !== 'running' && !this.live.has(jobId)) {
        done = { jobId, status: stored.status, exitCode: stored.exitCode ?? null };
      }
      if (done) socket.emit('job:done', done);
      return { ok: true, lastSeq, status: done?.status ?? 'running' };
    } finally {
      waiting.delete(me);
      if (waiting.size === 0 && this.catching.get(jobId) === waiting) this.catching.delete(jobId);
    }
  }

  /** Stops the grace timers (the hub is stopping; the next life sweeps what is left). */
  stop(): void {
    this.stopped = true;
    for (const job of this.live.values()) clearTimeout(job.graceTimer);
  }

  private takeOver(job: LiveJob, socket: HubSocket): void {
    clearTimeout(job.graceTimer);
    job.graceTimer = undefined;
    job.owner = socket;
  }

  private interrupt(jobId: string): void {
    const job = this.live.get(jobId);
    if (!job || job.owner) return;
    try {
      this.writer.finished(jobId, interrupted(job.info.startedAt));
    } catch {
      // The writer is closed: the hub is stopping.
    }
    this.end(jobId, { jobId, status: 'interrupted', exitCode: null });
  }

  private end(jobId: string, event: JobDoneEvent): void {
    const job = this.live.get(jobId);
    if (job) clearTimeout(job.graceTimer);
    this.live.delete(jobId);
    const waiting = [...(this.catching.get(jobId) ?? [])];
    this.nsp.to([jobRoom(jobId), ALL_JOBS_ROOM]).except(waiting.map((w) => w.socketId)).emit('job:done', event);
    for (const w of waiting) w.buffer.push({ kind: 'done', event });
  }

  private async backpressure<T extends Ack>(answer: T): Promise<T> {
    if (this.writer.pending.bytes > BACKPRESSURE_BYTES) await this.writer.flush();
    return answer;
  }
}
