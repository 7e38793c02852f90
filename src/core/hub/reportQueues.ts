// What a reporter still has to get stored, per job: events not yet acknowledged, in memory (the
// queue) while connected, else in the job's spool file; and output acknowledged but not yet
// stored, which goes back to the spool file if the connection is lost before the hub stores it.
import { textChars, type Chunk, type JobInfo } from '../../shared/jobs';
import { JobSpool, safeName, spoolLines, type SpoolEvent } from './jobSpool';

/** One job the reporter knows about, from `started` until the hub has stored its end. */
export interface JobState {
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
  /** Acknowledged but not yet stored. */
  retained: Chunk[];
  /** The highest seq the hub of this connection said it stored. */
  storedSeq: number;
}

/** One report: what it covers of its job's queue or spool. */
export interface Batch {
  job: JobState;
  event: SpoolEvent;
  queueCount: number;
  spoolBytes: number;
}

const badJobId = (jobId: string): Error => new Error(`A job id must be a plain file name, got ${JSON.stringify(jobId)}`);

export class ReportQueues {
  readonly jobs = new Map<string, JobState>();
  readonly spool: JobSpool;

  constructor(
    spoolDir: string,
    log: (message: string) => void,
    private readonly batchChunks: number,
    private readonly batchChars: number,
  ) {
    this.spool = new JobSpool(spoolDir, log);
  }

  /** The state of a job, new if it has none; throws for an id that cannot name a spool file. */
  stateOf(jobId: string): JobState {
    const known = this.jobs.get(jobId);
    if (known) return known;
    if (!safeName(jobId)) throw badJobId(jobId);
    const state: JobState = { id: jobId, queue: [], queueSent: 0, spooled: false, spoolOffset: 0, spoolSent: 0, retained: [], storedSeq: -1 };
    this.jobs.set(jobId, state);
    return state;
  }

  /**
   * Queues an event to send now, or appends it to the job's spool when it cannot be. Output is
   * split into events of at most one report each: a job's whole output handed over at once (a
   * window reaching its hub after a job ran) would otherwise be one report, and a report over the
   * hub's message limit closes the connection, again at every reconnection.
   */
  add(state: JobState, event: SpoolEvent, online: boolean): void {
    const events = event.type === 'chunks' ? this.split(event.chunks) : [event];
    if (state.spooled || !online) {
      if (!state.spooled) this.spill(state);
      this.spool.append(state.id, events);
    } else {
      state.queue.push(...events);
    }
  }

  // Moves all of a job's unstored events to its spool file: its start, what was acknowledged but
  // not stored, then what is pending, sent or not (the rest of the spool, or the queue). What the
  // next hub stores is learnt anew from it.
  spill(state: JobState): void {
    const head: SpoolEvent[] = [];
    if (state.info) head.push({ type: 'started', job: state.info });
    if (state.retained.length > 0) head.push(...this.split(state.retained));
    const rest = state.spooled ? this.spool.readText(state.id, state.spoolOffset) : spoolLines(state.queue);
    this.spool.replace(state.id, spoolLines(head) + rest);
    Object.assign(state, { spooled: true, spoolOffset: 0, spoolSent: 0, queue: [], queueSent: 0, retained: [], storedSeq: -1 });
  }

  /** The hub stored the job's output up to `storedSeq`: what it covers need not be kept. */
  stored(state: JobState, storedSeq: number): void {
    state.storedSeq = Math.max(state.storedSeq, storedSeq);
    if (state.retained.length > 0 && state.retained[0].seq <= state.storedSeq) state.retained = state.retained.filter((c) => c.seq > state.storedSeq);
  }

  /** The hub acknowledged a batch: it leaves the queue or the spool. */
  acknowledged({ job, queueCount, spoolBytes }: Batch): void {
    if (spoolBytes > 0) {
      job.spoolOffset += spoolBytes;
      if (job.spoolOffset === job.spoolSent) this.unspoolIfAcknowledged(job);
    } else {
      job.queue.splice(0, queueCount);
      job.queueSent -= queueCount;
    }
  }

  forget(job: JobState): void {
    this.jobs.delete(job.id);
    this.spool.remove(job.id);
  }

  // The next report to send: what a job has not sent yet of its spool (in file order), else of its
  // queue; consecutive chunk events are merged up to the batch limits, and `reportChars` characters
  // (default: batchChars, the size of each event; more where the report goes as bytes, see
  // HubReporter). Taking it marks it sent.
  take(reportChars = this.batchChars): Batch | undefined {
    for (const state of this.jobs.values()) {
      let batch: Batch | undefined;
      if (state.spooled) {
        let sized = this.spool.read(state.id, state.spoolSent, reportChars);
        const first = sized[0]?.event;
        const parts = first?.type === 'chunks' ? this.split(first.chunks) : [];
        if (parts.length > 1) {
          // Only once the reports before it are acknowledged can the spool be rewritten.
          if (state.spoolSent !== state.spoolOffset) continue;
          this.rewriteFirstLine(state, parts, sized[0].bytes);
          sized = this.spool.read(state.id, 0, reportChars);
        }
        if (sized.length > 0) batch = this.merge(state, sized.map((s) => s.event), sized.map((s) => s.bytes), reportChars);
        else if (state.spoolSent === state.spoolOffset) this.unspoolIfAcknowledged(state);
      } else if (state.queue.length > state.queueSent) {
        batch = this.merge(state, state.queue.slice(state.queueSent, state.queueSent + this.batchChunks), undefined, reportChars);
      }
      if (batch) {
        state.queueSent += batch.queueCount;
        state.spoolSent += batch.spoolBytes;
        return batch;
      }
    }
    return undefined;
  }

  // Once all of a spool is acknowledged, it is deleted at once so that new events go to the queue
  // again; nothing can be appended between the size check and the unlink.
  private unspoolIfAcknowledged(state: JobState): void {
    if ((this.spool.size(state.id) ?? 0) > state.spoolOffset) return;
    this.spool.remove(state.id);
    Object.assign(state, { spooled: false, spoolOffset: 0, spoolSent: 0 });
  }

  // Rewrites the spool from its next line (`bytes` long) on, that line as `parts`: a line with more
  // output than one report (written by an older reporter, which did not split it) would be over the
  // hub's message limit, which closes the connection at every try.
  private rewriteFirstLine(state: JobState, parts: SpoolEvent[], bytes: number): void {
    const rest = this.spool.readText(state.id, state.spoolOffset + bytes);
    this.spool.replace(state.id, spoolLines(parts) + rest);
    Object.assign(state, { spoolOffset: 0, spoolSent: 0 });
  }

  /** Chunks as events within the batch limits; a chunk over the character limit goes alone. */
  private split(chunks: Chunk[]): SpoolEvent[] {
    const events: SpoolEvent[] = [];
    let from = 0;
    let chars = 0;
    for (let i = 0; i < chunks.length; i++) {
      const size = chunks[i].text.length;
      if (i > from && (i - from === this.batchChunks || chars + size > this.batchChars)) {
        events.push({ type: 'chunks', chunks: chunks.slice(from, i) });
        from = i;
        chars = 0;
      }
      chars += size;
    }
    events.push({ type: 'chunks', chunks: from === 0 ? chunks : chunks.slice(from) });
    return events;
  }

  private merge(job: JobState, events: SpoolEvent[], sizes: number[] | undefined, reportChars: number): Batch {
    const first = events[0];
    let count = 1;
    let spoolBytes = sizes ? sizes[0] : 0;
    if (first.type !== 'chunks') return { job, event: first, queueCount: sizes ? 0 : 1, spoolBytes };
    const chunks = [...first.chunks];
    let chars = textChars(chunks);
    while (count < events.length) {
      const next = events[count];
      if (next.type !== 'chunks' || chunks.length + next.chunks.length > this.batchChunks || chars + textChars(next.chunks) > reportChars) break;
      chunks.push(...next.chunks);
      chars += textChars(next.chunks);
      if (sizes) spoolBytes += sizes[count];
      count++;
    }
    return { job, event: { type: 'chunks', chunks }, queueCount: sizes ? 0 : count, spoolBytes };
  }
}
