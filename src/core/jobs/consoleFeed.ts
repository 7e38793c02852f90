import { messageOf } from '../../shared/errors';
import { isActive, problemCounts, textChars, type Chunk, type JobInfo } from '../../shared/jobs';
import {
  APPEND_BATCH_CHARS,
  DEFAULT_CREDIT_WINDOW,
  type ConsoleAppendMessage,
  type ConsoleSkipMessage,
  type HostToConsoleMessage,
} from '../../shared/protocol';

/** Where a console's output comes from: the recorder of the window, or of jobs replayed from a store. */
export interface FeedSource {
  get(jobId: string): JobInfo | undefined;
  /** The first seq it holds: a stored job is replayed from its tail, and the rest stays in the store. */
  firstSeq(jobId: string): number;
  nextSeq(jobId: string): number;
  /** The seq from which the last chunks hold about `maxBytes`. */
  tailStart(jobId: string, maxBytes: number): number;
  /** The seq from which the chunks to the end hold more than `lines` line breaks (see ChunkLog.lineTailStart). */
  lineTailStart(jobId: string, lines: number): number;
  /** UTF-8 bytes of the output held, for the rate at which it comes. */
  outputBytes(jobId: string): number;
  read(jobId: string, fromSeq: number, maxBytes: number): Chunk[];
}

/** Output before what the source holds, from the store: the chunks just before `beforeSeq`, in order. */
export type FetchBefore = (jobId: string, beforeSeq: number, maxBytes: number) => Promise<Chunk[]>;

export interface ConsoleFeedOptions {
  /** Lines the console keeps in memory. */
  maxLines(): number;
  /** Output (UTF-8 bytes) sent to a new console; older output is fetched back on scroll. Default 256 KiB. */
  tailBytes?: number;
  /** Output is sent at most once per this many ms (one frame). Default 16. */
  frameMs?: number;
  /** Where output older than the source's first seq comes from; without it, none is older. */
  fetchBefore?: FetchBefore;
  /** A fetch from the store failed. */
  onError?(message: string): void;
}

const DEFAULT_TAIL_BYTES = 256 * 1024;

// A console that follows a flood can fall seconds behind: the page parses every line (find
// searches them all) more slowly than a fast producer writes. Once more than FAR_BEHIND_BYTES
// are waiting to be sent, the console is also sent the newest output (`console/tail`, about
// NEWEST_BYTES) at most every NEWEST_INTERVAL_MS, which it shows until the output in order
// catches up: the screen keeps up with the job while the rest is still being read. A few frames
// of reading at the page's pace; a screen is a few KB. All three are set by the console bench on
// two CPUs: sent 10 times a second, and only once 4 MB waited, the newest output and the reading
// before it made a flooding job take 1.31–1.42× as long as without a console; once 1 MB waited,
// the page still read 2–6 MB of the flood before the newest output covered it, and the job took
// 1.19–1.25× as long; at these values nearly nothing, and its last line still shows within 0.2 s
// of its exit.
const FAR_BEHIND_BYTES = 256 * 1024;
const NEWEST_BYTES = 16 * 1024;
const NEWEST_INTERVAL_MS = 200;
/** The newest output tells the rate the job's output comes at when the previous one went at most this long before. */
const RATE_WINDOW_MS = 1000;

// Each skip costs the output in flight, which the console drops unread. Under a flood that goes
// on, skipping as soon as more lines wait than the console keeps made it skip every few frames:
// measured by the console bench on two CPUs (maxLines 100,000), 68 skips in a 5.5 s flood, the
// job took 1.44-1.53x as long as without a console against 1.11-1.23x without skips, Chromium
// busy passing output along. A skip then also saves reading at least three times what it costs.
const RUNNING_SKIP_FACTOR = 4;

// Feeds one console with a job's output from the source, in batches of at most 64 KB, keeping
// at most a window of unacknowledged characters in flight (credits). A flood of output never
// freezes the console and never slows the job: the source keeps everything not yet sent.
export class ConsoleFeed {
  private listening = false;
  /** The user paused the console's view (see skipUnkept). */
  private viewPaused = false;
  private creditWindow = DEFAULT_CREDIT_WINDOW;
  /** The lines the console keeps, as `console/init` told it: the setting may change meanwhile. */
  private maxLines = 1;
  private sentChars = 0;
  private consumedChars = 0;
  private nextSeq = 0;
  private timer: NodeJS.Timeout | undefined;
  /** When the newest output was last sent, its last seq, the output held then, and the send put off until the interval has passed. */
  private newestAt = 0;
  private newestSeq = -1;
  private newestBytes = 0;
  private newestTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly source: FeedSource,
    private readonly post: (message: HostToConsoleMessage) => void,
    private jobId: string,
    private readonly options: ConsoleFeedOptions,
  ) {}

  get currentJob(): string {
    return this.jobId;
  }

  /** The console has read everything there is to send it (or skipped) so far. */
  get caughtUp(): boolean {
    return this.nextSeq >= this.source.nextSeq(this.jobId) && this.consumedChars >= this.sentChars;
  }

  /** The console said `ready`: it is sent the job, its status and the tail of its output. */
  ready(creditWindow: number): void {
    this.listening = true;
    this.creditWindow = creditWindow;
    this.start();
  }

  /** The console went away (its tab was hidden); it will say `ready` again. */
  pause(): void {
    this.listening = false;
  }

  /** Shows another job in the same console. */
  switchTo(jobId: string): void {
    this.jobId = jobId;
    if (this.listening) this.start();
  }

  /**
   * The console consumed this many characters since `console/init`. What waits goes at once:
   * waiting for the next frame's timer made every round of credit a frame longer, and a console
   * catching up read at 7–8 MB/s.
   */
  credit(consumed: number): void {
    this.consumedChars = Math.max(this.consumedChars, consumed);
    this.pump();
  }

  /** The user paused the console's view, or resumed it. */
  pausedView(paused: boolean): void {
    this.viewPaused = paused;
    this.pump();
  }

  /** The source has new output for `jobId`. */
  chunksAdded(jobId: string): void {
    if (jobId === this.jobId) this.schedule();
  }

  /** A job changed (started, ended). */
  jobChanged(job: JobInfo): void {
    if (job.id !== this.jobId || !this.listening) return;
    // The output written before the change goes first (as far as credits allow): a console must
    // not say a job ended above the lines that tell how it did, such as a group's last notes.
    this.pump();
    this.postStatus(job);
  }

  /**
   * Answers `console/fetch-older`: about `maxChars` of the chunks just before `beforeSeq`, from
   * the source, and what it does not hold from the store.
   */
  older(beforeSeq: number, maxChars: number): void {
    const jobId = this.jobId;
    const first = this.source.firstSeq(jobId);
    const chunks: Chunk[] = [];
    let chars = 0;
    let seq = Math.min(beforeSeq, this.source.nextSeq(jobId)) - 1;
    for (; seq >= first && chars < maxChars; seq--) {
      const [chunk] = this.source.read(jobId, seq, 1);
      if (!chunk || chunk.seq !== seq) break;
      chunks.unshift(chunk);
      chars += chunk.text.length;
    }
    const fetchBefore = this.options.fetchBefore;
    if (seq < 0 || chars >= maxChars || !fetchBefore) {
      this.send({ type: 'console/older', jobId, chunks, hasMore: seq >= 0 && (seq >= first || fetchBefore !== undefined) });
      return;
    }
    fetchBefore(jobId, seq + 1, maxChars - chars).then(
      (fetched) => {
        if (jobId !== this.jobId) return;
        this.send({ type: 'console/older', jobId, chunks: fetched.concat(chunks), hasMore: fetched.length > 0 && fetched[0].seq > 0 });
      },
      (err: unknown) => {
        this.options.onError?.(`Cannot read older output of job ${jobId}: ${messageOf(err)}`);
        if (jobId === this.jobId) this.send({ type: 'console/older', jobId, chunks, hasMore: false });
      },
    );
  }

  dispose(): void {
    clearTimeout(this.timer);
    clearTimeout(this.newestTimer);
    this.listening = false;
  }

  private start(): void {
    const job = this.source.get(this.jobId);
    if (!job) return;
    this.nextSeq = this.source.tailStart(this.jobId, this.options.tailBytes ?? DEFAULT_TAIL_BYTES);
    this.sentChars = 0;
    this.consumedChars = 0;
    this.viewPaused = false;
    this.maxLines = this.options.maxLines();
    this.newestSeq = -1;
    const first = this.source.firstSeq(this.jobId);
    this.send({
      type: 'console/init',
      job,
      options: { maxLines: this.maxLines, wrap: false, timestamps: false, follow: true },
      canFetchOlder: this.nextSeq > first || (first > 0 && this.options.fetchBefore !== undefined),
    });
    this.postStatus(job);
    this.pump();
  }

  private postStatus(job: JobInfo): void {
    this.send({
      type: 'console/status',
      jobId: job.id,
      status: job.status,
      ...(job.exitCode !== undefined ? { exitCode: job.exitCode } : {}),
      ...(job.signal !== undefined ? { signal: job.signal } : {}),
      ...(job.durationMs !== undefined ? { durationMs: job.durationMs } : {}),
      ...(job.finishedAt !== undefined ? { finishedAt: job.finishedAt } : {}),
      ...problemCounts(job),
    });
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, this.options.frameMs ?? 16);
  }

  private pump(): void {
    this.skipUnkept();
    while (
      this.listening &&
      this.sentChars - this.consumedChars < this.creditWindow &&
      this.nextSeq < this.source.nextSeq(this.jobId)
    ) {
      const chunks = this.source.read(this.jobId, this.nextSeq, APPEND_BATCH_CHARS);
      if (chunks.length === 0) break;
      this.sendChunks({ type: 'console/append', jobId: this.jobId, chunks });
    }
    this.sendNewestIfFarBehind();
  }

  /** Sends output in order; it counts against the credit window. */
  private sendChunks(message: ConsoleAppendMessage | ConsoleSkipMessage): void {
    this.send(message);
    this.nextSeq = message.chunks[message.chunks.length - 1].seq + 1;
    this.sentChars += textChars(message.chunks);
  }

  // The console keeps its last maxLines lines. Once the output still to send holds more than that,
  // all before them would be read only to be dropped: after a flood, a console read hundreds of MB
  // for a minute before it showed the end. So they are left out, and the console fetches them back
  // if the user scrolls up. Reading on would drop every line the console shows, so only a view
  // the user paused, which holds them as they are, is not skipped. The skip carries the first
  // output after it, so that the console never draws an empty log in between.
  // While the job runs, a skip waits until RUNNING_SKIP_FACTOR times as many lines wait (see there).
  private skipUnkept(): void {
    const job = this.source.get(this.jobId);
    if (!this.listening || this.viewPaused || !job) return;
    const waitFor = isActive(job.status) ? this.maxLines * RUNNING_SKIP_FACTOR : this.maxLines;
    if (this.source.lineTailStart(this.jobId, waitFor) <= this.nextSeq) return;
    const keepFrom = this.source.lineTailStart(this.jobId, this.maxLines);
    const chunks = this.source.read(this.jobId, keepFrom, APPEND_BATCH_CHARS);
    if (chunks.length === 0) return;
    // The console drops everything in flight unread, which it counts as consumed.
    this.consumedChars = this.sentChars;
    this.sendChunks({ type: 'console/skip', jobId: this.jobId, chunks });
  }

  private sendNewestIfFarBehind(): void {
    const last = this.source.nextSeq(this.jobId) - 1;
    if (!this.listening || this.newestTimer || last <= this.newestSeq) return;
    const wait = this.newestAt + NEWEST_INTERVAL_MS - Date.now();
    if (wait > 0) {
      this.newestTimer = setTimeout(() => {
        this.newestTimer = undefined;
        this.sendNewestIfFarBehind();
      }, wait);
      return;
    }
    if (this.nextSeq >= this.source.tailStart(this.jobId, FAR_BEHIND_BYTES)) return;
    const chunks = lastChars(this.source.read(this.jobId, this.source.tailStart(this.jobId, NEWEST_BYTES), NEWEST_BYTES * 2), NEWEST_BYTES);
    if (chunks.length === 0) return;
    const now = Date.now();
    const bytes = this.source.outputBytes(this.jobId);
    // The rate since the last newest output, if that was recent: the console reads slowly only
    // under a flood (see webview/lib/framePacer.ts).
    const bytesPerSecond = now - this.newestAt <= RATE_WINDOW_MS ? Math.round(((bytes - this.newestBytes) * 1000) / Math.max(1, now - this.newestAt)) : undefined;
    this.newestAt = now;
    this.newestSeq = chunks[chunks.length - 1].seq;
    this.newestBytes = bytes;
    this.send({ type: 'console/tail', jobId: this.jobId, chunks, ...(bytesPerSecond === undefined ? {} : { bytesPerSecond }) });
  }

  // Nothing is sent before `ready`: start() sends the whole state once the console listens.
  private send(message: HostToConsoleMessage): void {
    if (this.listening) this.post(message);
  }
}

/**
 * The end of `chunks`, about `chars` characters from the start of a line. A pty's chunks are
 * up to 64 KB, and the newest output only has to fill a screen: sent whole, the chunk would
 * cost the page more than the covered log reads meanwhile. The cut chunk keeps its seq.
 */
export function lastChars(chunks: Chunk[], chars: number): Chunk[] {
  let total = 0;
  for (let i = chunks.length - 1; i >= 0; i--) {
    const chunk = chunks[i]!;
    const keep = chars - total;
    if (chunk.text.length <= keep) {
      total += chunk.text.length;
      continue;
    }
    if (keep === 0) return chunks.slice(i + 1);
    const from = chunk.text.length - keep;
    const lineStart = chunk.text.indexOf('\n', from) + 1;
    const text = chunk.text.slice(lineStart > 0 && lineStart < chunk.text.length ? lineStart : from);
    return [{ ...chunk, text }, ...chunks.slice(i + 1)];
  }
  return chunks;
}

/** The chunks of a job the source holds, in pages of about `maxBytes`. */
export function* chunkPages(source: FeedSource, jobId: string, maxBytes = 1024 * 1024): Generator<Chunk[]> {
  for (let seq = source.firstSeq(jobId); seq < source.nextSeq(jobId); ) {
    const page = source.read(jobId, seq, maxBytes);
    if (page.length === 0) return;
    yield page;
    seq = page[page.length - 1].seq + 1;
  }
}

/** Every chunk of a job the source holds, read page by page. */
export function* allChunks(source: FeedSource, jobId: string): Generator<Chunk> {
  for (const page of chunkPages(source, jobId)) yield* page;
}
