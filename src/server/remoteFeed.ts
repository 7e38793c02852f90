import type { JobStore } from '../core/store/jobStore';
import type { JobDoneEvent, JobLogEvent } from '../shared/hubProtocol';
import type { Chunk } from '../shared/jobs';

/** How long a missing seq may be late through the adapter before it is read from the store. */
const GAP_MS = 300;
/** How long the store may lag behind the reporting hub before a missing range is skipped. */
const GIVE_UP_MS = 5_000;
const FILL_PAGE = 1000;

/** Where a remote job's output goes, in order of seq. */
export interface FeedOutput {
  log(event: JobLogEvent): void;
  done(event: JobDoneEvent): void;
}

/** A stored chunk as the live event it was. */
export const logEvent = (jobId: string, c: Chunk): JobLogEvent => ({ jobId, seq: c.seq, ts: c.ts, stream: c.stream, chunk: c.text });

// The live output of a job reported to another hub. Messages between hubs can arrive out of order
// (the adapter fetches large ones from a table and hands small ones on at once), so output is held
// until every seq before it was sent, and the job's end until its last seq was. A seq still
// missing after GAP_MS is read from the store, where the reporting hub writes it within ~50 ms;
// one missing for GIVE_UP_MS is skipped. Until the feed is anchored (its first seq known, from the
// job's start or from a replay) nothing is sent.
export class RemoteFeed {
  /** The next seq to send; undefined until anchored. */
  nextSeq: number | undefined;
  private readonly pending = new Map<number, JobLogEvent>();
  private end: { event: JobDoneEvent; lastSeq: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Since when the feed waits for a missing seq. */
  private gapSince: number | undefined;
  private filling = false;
  private closed = false;

  constructor(
    readonly jobId: string,
    private readonly store: Pick<JobStore, 'readEvents'>,
    private readonly out: FeedOutput,
  ) {}

  /** The lowest seq held back, if any. */
  get firstPending(): number | undefined {
    let first: number | undefined;
    for (const seq of this.pending.keys()) if (first === undefined || seq < first) first = seq;
    return first;
  }

  /** Sets the first seq to send, once; what is held below it is dropped. */
  anchor(seq: number): void {
    if (this.nextSeq !== undefined) return;
    this.nextSeq = seq;
    this.drain();
  }

  /** Anchors at the first seq held, when nobody needs earlier ones. */
  anchorAtHeld(): void {
    const first = this.firstPending ?? (this.end ? this.end.lastSeq + 1 : undefined);
    if (first !== undefined) this.anchor(first);
  }

  push(events: readonly JobLogEvent[]): void {
    for (const e of events) if (this.nextSeq === undefined || e.seq >= this.nextSeq) this.pending.set(e.seq, e);
    this.drain();
  }

  /** The job ended after `lastSeq` (-1: no output was sent live). */
  finish(event: JobDoneEvent, lastSeq: number): void {
    this.end = { event, lastSeq };
    this.drain();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.pending.clear();
  }

  private drain(): void {
    if (this.closed || this.nextSeq === undefined) return;
    const from = this.nextSeq;
    for (const seq of this.pending.keys()) if (seq < from) this.pending.delete(seq);
    for (let e = this.pending.get(this.nextSeq); e; e = this.pending.get(this.nextSeq)) {
      this.pending.delete(e.seq);
      this.nextSeq = e.seq + 1;
      this.out.log(e);
      if (this.closed) return;
    }
    if (this.nextSeq > from) this.gapSince = undefined;
    if (this.end && this.nextSeq > this.end.lastSeq) {
      const { event } = this.end;
      this.close();
      this.out.done(event);
      return;
    }
    if (this.pending.size === 0 && !this.end) return;
    this.gapSince ??= Date.now();
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.fill();
    }, GAP_MS);
  }

  /** Reads the missing range from the store; skips it once it has been missing too long. */
  private async fill(): Promise<void> {
    if (this.closed || this.filling || this.nextSeq === undefined) return;
    const until = this.firstPending ?? (this.end ? this.end.lastSeq + 1 : this.nextSeq);
    this.filling = true;
    try {
      while (!this.closed && this.nextSeq < until) {
        const page = await this.store.readEvents(this.jobId, this.nextSeq, { limit: Math.min(until - this.nextSeq, FILL_PAGE) });
        const missing = page.filter((c) => c.seq < until);
        if (missing.length === 0) break;
        this.push(missing.map((c) => logEvent(this.jobId, c)));
      }
    } catch {
      // The store is unreachable: the next turn tries again, or skips.
    } finally {
      this.filling = false;
    }
    if (this.closed) return;
    if (this.nextSeq < until && Date.now() - (this.gapSince ?? Date.now()) >= GIVE_UP_MS) this.nextSeq = until;
    this.drain();
  }
}
