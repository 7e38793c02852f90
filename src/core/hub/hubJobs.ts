// What a window reads from the hub: the newest jobs of every window and machine, kept current by
// the hub's live events, and the output of any of them — replayed from the store, then live
// while the job runs — into a recorder that a console can show.
import { EventEmitter } from 'node:events';
import { hubSocket } from './socketClient';
import { ask, type AskAnswer, type AskPayload, type HubClientSocket } from '../../shared/ask';
import { HUB_PROTOCOL, OPEN_TAIL_BYTES, type HubJob, type JobDoneEvent, type JobEventsRequest, type JobLogEvent } from '../../shared/hubProtocol';
import { messageOf } from '../../shared/errors';
import { isActive, type Chunk, type JobInfo, type JobQuery, type JobResult } from '../../shared/jobs';
import type { JobRecorder } from '../jobs/recorder';
import { formatCommand } from '../../shared/format';

export interface HubJobsOptions {
  url: string;
  token: string;
  /** How many finished jobs to keep listed; running ones are always listed. */
  limit: number;
  log?: (message: string) => void;
}

/** Where a followed job goes: a recorder that can hold a log starting past seq 0. */
export interface ReplaySink extends JobRecorder {
  started(job: JobInfo, firstSeq?: number): void;
}

interface Follow {
  sink: ReplaySink;
  /** The next seq to accept: a replay after a reconnect may repeat what was already passed on. */
  nextSeq: number;
  done: boolean;
}

const ACK_TIMEOUT_MS = 10_000;
/** Ends of unlisted jobs kept until the next listing. */
const UNLISTED_ENDS_KEPT = 500;

export class HubJobs extends EventEmitter<{ changed: []; job: [HubJob] }> {
  private readonly socket: HubClientSocket;
  private listed = new Map<string, HubJob>();
  /** Jobs heard of while a listing is asked: the answer may predate what was heard. */
  private heardWhileListing: Set<string> | undefined;
  /** Ends heard of jobs not listed yet (this window connected while they ran), by job id. */
  private readonly unlistedEnds = new Map<string, JobResult>();
  private readonly follows = new Map<string, Follow>();
  private readonly log: (message: string) => void;

  constructor(private readonly options: HubJobsOptions) {
    super();
    this.log = options.log ?? (() => undefined);
    this.socket = hubSocket(options.url, {
      auth: { token: options.token, protocol: HUB_PROTOCOL },
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
    });
    this.socket.on('connect', () => {
      void this.refresh();
      for (const [jobId, follow] of this.follows) if (!follow.done) void this.join(jobId, follow);
    });
    this.socket.on('connect_error', (err) => this.log(`Cannot read jobs from the hub: ${err.message}`));
    this.socket.on('job:started', (job) => {
      const listed = { ...job, command: formatCommand(job.argv) };
      this.listed.set(job.id, listed);
      this.heardWhileListing?.add(job.id);
      this.emit('changed');
      this.emit('job', listed);
    });
    this.socket.on('job:done', (event) => this.ended(event));
    this.socket.on('job:log', (event) => this.logged(event));
  }

  /** Running and queued jobs first, then the newest finished ones, as the hub last said. */
  get jobs(): HubJob[] {
    const all = [...this.listed.values()].sort((a, b) => b.startedAt - a.startedAt);
    return [...all.filter((j) => isActive(j.status)), ...all.filter((j) => !isActive(j.status))];
  }

  get(jobId: string): HubJob | undefined {
    return this.listed.get(jobId);
  }

  /** One page of the hub's history. */
  list(query: JobQuery): Promise<{ jobs: HubJob[]; nextCursor?: string }> {
    return this.request('jobs:list', query);
  }

  /**
   * Passes a stored job to `sink`: its start, its last `tailBytes` of output (what the first
   * screen shows; `events` reads what came before), its end, and its further output live while
   * it runs. Returns a function that stops following.
   */
  async follow(jobId: string, sink: ReplaySink, tailBytes = OPEN_TAIL_BYTES): Promise<() => void> {
    // Asked together: the hub answers both after storing what it was sent before them, so a job
    // read as finished comes with all of its output.
    const [{ job }, tail] = await Promise.all([this.request('jobs:get', jobId), this.events({ jobId, beforeSeq: 'end', maxBytes: tailBytes })]);
    const { command: _command, reporter: _reporter, lastSeq, ...info } = job;
    const firstSeq = tail[0]?.seq ?? 0;
    sink.started({ ...info, status: 'running' } satisfies JobInfo, firstSeq);
    sink.chunks(jobId, tail);
    // A hub older than this window does not page back: it answers with the head of the job, and
    // join-job brings the rest as for a running job.
    if (!isActive(job.status) && tail[tail.length - 1]?.seq === lastSeq) {
      sink.finished(jobId, storedResult(job, job.status));
      return () => undefined;
    }
    const follow: Follow = { sink, nextSeq: firstSeq + tail.length, done: false };
    this.follows.set(jobId, follow);
    await this.join(jobId, follow);
    return () => {
      if (this.follows.get(jobId) !== follow) return;
      this.follows.delete(jobId);
      if (this.socket.connected) this.socket.emit('leave-job', jobId);
    };
  }

  /** A page of a job's stored output (see JobEventsRequest). */
  async events(request: JobEventsRequest): Promise<Chunk[]> {
    return (await this.request('jobs:events', request)).chunks;
  }

  /** A job as the hub stores it, or undefined when there is none. */
  async getJob(jobId: string): Promise<HubJob | undefined> {
    return this.request('jobs:get', jobId).then(
      ({ job }) => job,
      () => undefined,
    );
  }

  /** Deletes a finished job and its output (operator only). */
  async delete(jobId: string): Promise<void> {
    await this.request('jobs:delete', jobId);
    this.listed.delete(jobId);
    this.emit('changed');
  }

  /** Asks the window that runs a job to cancel it. */
  async cancel(jobId: string): Promise<void> {
    await this.request('cancel-job', { jobId });
  }

  close(): void {
    this.follows.clear();
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }

  private async join(jobId: string, follow: Follow): Promise<void> {
    try {
      await this.request('join-job', { jobId, fromSeq: follow.nextSeq });
    } catch (err) {
      this.log(`Cannot follow job ${jobId}: ${messageOf(err)}`);
      throw err;
    }
  }

  private logged(event: JobLogEvent): void {
    const follow = this.follows.get(event.jobId);
    if (!follow || event.seq < follow.nextSeq) return;
    follow.nextSeq = event.seq + 1;
    follow.sink.chunks(event.jobId, [{ seq: event.seq, ts: event.ts, stream: event.stream, text: event.chunk }]);
  }

  // The event says how the job ended (a hub of protocol 1 said only its status and exit code).
  private ended(event: JobDoneEvent): void {
    const { jobId, ...reported } = event;
    const result = storedResult(reported, event.status);
    const listed = this.listed.get(jobId);
    this.heardWhileListing?.add(jobId);
    if (listed) {
      Object.assign(listed, result);
      this.trim();
      this.emit('job', listed);
    } else {
      this.unlistedEnds.set(jobId, result);
      if (this.unlistedEnds.size > UNLISTED_ENDS_KEPT) this.unlistedEnds.delete(this.unlistedEnds.keys().next().value!);
    }
    this.emit('changed');
    const follow = this.follows.get(jobId);
    if (!follow || follow.done) return;
    follow.done = true;
    follow.sink.finished(jobId, result);
  }

  /** Running jobs, and the newest `limit` finished ones. */
  private trim(): void {
    const finished = this.jobs.filter((j) => !isActive(j.status));
    for (const job of finished.slice(this.options.limit)) this.listed.delete(job.id);
  }

  // Lists the hub's jobs anew (on every connect). What was heard while the listing was asked is
  // newer than the answer, and an end heard before its job was listed ends it now.
  private async refresh(): Promise<void> {
    const heard = new Set<string>();
    this.heardWhileListing = heard;
    try {
      const [running, queued, recent] = await Promise.all([
        this.request('jobs:list', { status: 'running', limit: 500 }),
        // A hub older than `queued` refuses to list it: it has none.
        this.request('jobs:list', { status: 'queued', limit: 500 }).catch(() => ({ jobs: [] })),
        this.request('jobs:list', { limit: this.options.limit }),
      ]);
      const listed = new Map([...recent.jobs, ...queued.jobs, ...running.jobs].map((j) => [j.id, j]));
      for (const jobId of heard) {
        const live = this.listed.get(jobId);
        if (live) listed.set(jobId, live);
      }
      const ended: HubJob[] = [];
      for (const job of listed.values()) {
        const end = isActive(job.status) ? this.unlistedEnds.get(job.id) : undefined;
        if (end) ended.push(Object.assign(job, end));
      }
      this.unlistedEnds.clear();
      this.listed = listed;
      this.trim();
      this.emit('changed');
      for (const job of ended) this.emit('job', job);
    } catch (err) {
      this.log(`Cannot list the hub's jobs: ${messageOf(err)}`);
    } finally {
      if (this.heardWhileListing === heard) this.heardWhileListing = undefined;
    }
  }

  private request<E extends 'jobs:get' | 'jobs:list' | 'jobs:events' | 'jobs:delete' | 'join-job' | 'cancel-job'>(event: E, payload: AskPayload<E>): Promise<AskAnswer<E>> {
    return ask(this.socket, event, payload, ACK_TIMEOUT_MS);
  }
}

/** How a job ended, as a recorder is told; what the hub does not say is taken as unknown. */
function storedResult(job: Partial<Omit<JobResult, 'status'>>, status: JobResult['status']): JobResult {
  return { status, exitCode: job.exitCode ?? null, signal: job.signal ?? null, durationMs: job.durationMs ?? 0, finishedAt: job.finishedAt ?? Date.now() };
}
