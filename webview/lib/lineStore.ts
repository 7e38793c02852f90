// The lines of one log, kept compactly: each line is its display text (escape codes removed,
// `\r` resolved) and a style — one id when the line has a single style, else flat
// [offset, id, …] runs — plus its stream, time and chunk seq in typed arrays. Lines live in
// blocks of 4096 so that appending is O(chunk) and dropping the oldest lines is O(1) per block.
import type { Chunk, StreamName } from '../../src/shared/jobs';
import { AnsiScanner, isPlainText, type AnsiSink } from './ansi';
import { StyleTable } from './styles';

const BLOCK_BITS = 12;
const BLOCK = 1 << BLOCK_BITS;
const MASK = BLOCK - 1;
/** A line still being written is cut here (its parts are joined on every chunk). */
export const MAX_OPEN_LINE = 65_536;

/** Stream numbers as lines store them. */
export const Stream = { stdout: 0, stderr: 1, system: 2 } as const;
export const STREAM_OF: readonly StreamName[] = ['stdout', 'stderr', 'system'];

/** A style id, or flat runs `[offset0, id0, offset1, id1, …]` with offset0 = 0. */
export type LineStyle = number | number[];

class Block {
  readonly texts: string[] = new Array<string>(BLOCK);
  readonly styles: LineStyle[] = new Array<LineStyle>(BLOCK);
  readonly ts = new Float64Array(BLOCK);
  readonly seq = new Float64Array(BLOCK);
  readonly stream = new Uint8Array(BLOCK);
  /** Lines `start` to `end - 1` are used: only the first block may start late, only the last end early. */
  start = 0;
  end = 0;
}

/** The line being written: it has no newline yet and may change with the next chunk. */
interface OpenLine {
  no: number;
  stream: number;
  /** Joined when the line is written to its slot, so that stored lines are flat strings. */
  parts: string[];
  length: number;
  runs: number[];
  /** A `\r` was read: the next text replaces the line (unless a newline comes first: CRLF). */
  cr: boolean;
}

export interface LineStoreOptions {
  maxLines: number;
  /** Shared with another store, e.g. the one that parses older chunks. */
  styles?: StyleTable;
}

export class LineStore {
  readonly styles: StyleTable;
  maxLines: number;
  /** Absolute number of the first line held; numbers never change, older lines get lower ones. */
  firstNo = 0;
  /** One past the last line held. */
  endNo = 0;
  /** Lines dropped from the front to stay within `maxLines`. */
  dropped = 0;
  /** Length of the longest line seen, for the width of the scroll area. */
  maxLength = 0;
  /** Bumped when lines are dropped from or added at the front. */
  frontVersion = 0;
  /** The seq of the newest chunk appended, or -1. */
  lastSeq = -1;
  /** Bumped by `clear()`: line numbers start again. */
  generation = 0;

  /** Lines fetched back beyond `maxLines`, kept until `releaseOlder()`. */
  private olderAllowance = 0;
  private blocks: Block[] = [];
  private open: OpenLine | null = null;
  private readonly scanners: AnsiScanner[];
  private readonly sink: AnsiSink;
  /** The chunk being appended. */
  private chunkStream = 0;
  private chunkTs = 0;
  private chunkSeq = 0;

  constructor(options: LineStoreOptions) {
    this.maxLines = Math.max(1, options.maxLines);
    this.styles = options.styles ?? new StyleTable();
    this.scanners = [0, 1, 2].map(() => new AnsiScanner(this.styles));
    this.sink = {
      text: (text, style) => this.put(text, style),
      newline: () => this.newline(),
      carriageReturn: () => {
        if (this.open) this.open.cr = true;
      },
    };
  }

  get count(): number {
    return this.endNo - this.firstNo;
  }

  /** The number of the line still being written, or -1. */
  get openNo(): number {
    return this.open ? this.open.no : -1;
  }

  /** The seq of the oldest chunk with a line here, or -1 when empty. */
  get firstSeq(): number {
    return this.count > 0 ? this.seq(this.firstNo) : -1;
  }

  // The accessors repeat the block arithmetic instead of sharing a helper that returns a
  // pair: they run for every line searched or measured, and must not allocate.

  text(no: number): string {
    const pos = no - this.firstNo + this.blocks[0]!.start;
    return this.blocks[pos >> BLOCK_BITS]!.texts[pos & MASK]!;
  }

  style(no: number): LineStyle {
    const pos = no - this.firstNo + this.blocks[0]!.start;
    return this.blocks[pos >> BLOCK_BITS]!.styles[pos & MASK]!;
  }

  stream(no: number): number {
    const pos = no - this.firstNo + this.blocks[0]!.start;
    return this.blocks[pos >> BLOCK_BITS]!.stream[pos & MASK]!;
  }

  ts(no: number): number {
    const pos = no - this.firstNo + this.blocks[0]!.start;
    return this.blocks[pos >> BLOCK_BITS]!.ts[pos & MASK]!;
  }

  seq(no: number): number {
    const pos = no - this.firstNo + this.blocks[0]!.start;
    return this.blocks[pos >> BLOCK_BITS]!.seq[pos & MASK]!;
  }

  /** The first line from chunk `seq` or a later one (seqs only grow from line to line); `endNo` when none. */
  lineOfSeq(seq: number): number {
    let lo = this.firstNo;
    let hi = this.endNo;
    while (lo < hi) {
      const mid = lo + ((hi - lo) >> 1);
      if (this.seq(mid) < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private locate(no: number): [Block, number] {
    const pos = no - this.firstNo + this.blocks[0]!.start;
    return [this.blocks[pos >> BLOCK_BITS]!, pos & MASK];
  }

  /** Adds a chunk's output. Does not drop old lines: call `trim()` once per batch. */
  append(chunk: Chunk): void {
    const stream = Stream[chunk.stream];
    if (this.open && this.open.stream !== stream) this.closeOpen();
    this.chunkStream = stream;
    this.chunkTs = chunk.ts;
    this.chunkSeq = chunk.seq;
    if (chunk.seq > this.lastSeq) this.lastSeq = chunk.seq;
    const scanner = this.scanners[stream]!;
    if (!scanner.hasPending && isPlainText(chunk.text)) this.appendPlain(chunk.text, scanner.style);
    else scanner.feed(chunk.text, this.sink);
    this.flushOpen();
  }

  /**
   * The common case, text without escapes and with `\r` only in CRLF (every line a
   * pseudo-terminal writes): split on newlines, each line without its `\r`.
   */
  private appendPlain(text: string, style: number): void {
    if (text === '') return;
    let start = 0;
    let nl = text.indexOf('\n');
    if (nl < 0) {
      this.put(text, style);
      return;
    }
    if (this.open) {
      const end = lineEnd(text, start, nl);
      if (end > 0) this.put(text.slice(0, end), style);
      this.newline();
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    while (nl >= 0) {
      const end = lineEnd(text, start, nl);
      this.push(text.slice(start, end), start === end ? 0 : style, this.chunkStream, this.chunkTs, this.chunkSeq);
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    if (start < text.length) this.put(text.slice(start), style);
  }

  private put(text: string, style: number): void {
    for (;;) {
      let open = this.open;
      if (!open) {
        open = { no: this.endNo, stream: this.chunkStream, parts: [], length: 0, runs: [0, style], cr: false };
        this.push('', style, this.chunkStream, this.chunkTs, this.chunkSeq);
        this.open = open;
      }
      if (open.cr) {
        open.parts = [];
        open.length = 0;
        open.runs = [0, style];
        open.cr = false;
      }
      // A line without end is cut, as a terminal wraps it: joining its parts stays cheap.
      const room = MAX_OPEN_LINE - open.length;
      const piece = text.length <= room ? text : text.slice(0, room);
      if (piece.length > 0) {
        const runs = open.runs;
        if (runs[runs.length - 1] !== style) {
          if (runs[runs.length - 2] === open.length) runs[runs.length - 1] = style;
          else runs.push(open.length, style);
        }
        open.parts.push(piece);
        open.length += piece.length;
      }
      if (piece.length === text.length) return;
      this.closeOpen();
      text = text.slice(piece.length);
    }
  }

  private newline(): void {
    if (this.open) this.closeOpen();
    else this.push('', 0, this.chunkStream, this.chunkTs, this.chunkSeq);
  }

  /** Ends the line being written, as if a newline had come. */
  closeOpen(): void {
    if (!this.open) return;
    this.flushOpen();
    this.open = null;
  }

  /** Writes the line being written to its slot. */
  private flushOpen(): void {
    const open = this.open;
    if (!open) return;
    const text = open.parts.length === 1 ? open.parts[0]! : open.parts.join('');
    open.parts = text === '' ? [] : [text];
    const [b, k] = this.locate(open.no);
    b.texts[k] = text;
    b.styles[k] = compactRuns(open.runs, text.length);
    if (text.length > this.maxLength) this.maxLength = text.length;
  }

  private push(text: string, style: LineStyle, stream: number, ts: number, seq: number): void {
    let b = this.blocks[this.blocks.length - 1];
    if (!b || b.end === BLOCK) {
      b = new Block();
      this.blocks.push(b);
    }
    const k = b.end++;
    b.texts[k] = text;
    b.styles[k] = style;
    b.ts[k] = ts;
    b.seq[k] = seq;
    b.stream[k] = stream;
    this.endNo++;
    if (text.length > this.maxLength) this.maxLength = text.length;
  }

  private unshift(text: string, style: LineStyle, stream: number, ts: number, seq: number): void {
    let b = this.blocks[0];
    if (!b || b.start === 0) {
      b = new Block();
      b.start = BLOCK;
      b.end = BLOCK;
      this.blocks.unshift(b);
    }
    const k = --b.start;
    b.texts[k] = text;
    b.styles[k] = style;
    b.ts[k] = ts;
    b.seq[k] = seq;
    b.stream[k] = stream;
    this.firstNo--;
    if (text.length > this.maxLength) this.maxLength = text.length;
  }

  /**
   * Drops the oldest lines beyond `maxLines`, never part of a chunk (so that the first line
   * held is the first of its chunk and `console/fetch-older` can ask for what came before)
   * and never the line being written. Returns how many lines were dropped.
   */
  trim(): number {
    let drop = this.count - this.maxLines - this.olderAllowance;
    const limit = this.open ? this.open.no - this.firstNo : this.count;
    if (drop > limit) drop = limit;
    if (drop <= 0) return 0;
    const lastSeq = this.seq(this.firstNo + drop - 1);
    while (drop < limit && this.seq(this.firstNo + drop) === lastSeq) drop++;
    let left = drop;
    while (left > 0) {
      const b = this.blocks[0]!;
      const used = b.end - b.start;
      if (used <= left) {
        this.blocks.shift();
        left -= used;
      } else {
        b.texts.fill('', b.start, b.start + left);
        b.styles.fill(0, b.start, b.start + left);
        b.start += left;
        left = 0;
      }
    }
    this.firstNo += drop;
    this.dropped += drop;
    this.frontVersion++;
    return drop;
  }

  /**
   * Puts older chunks (in seq order, ending just before the first chunk held) in front.
   * They are parsed from the default style: the state before them is not known.
   * Returns the number of lines added.
   */
  prepend(chunks: Chunk[]): number {
    if (chunks.length === 0) return 0;
    const older = new LineStore({ maxLines: Number.MAX_SAFE_INTEGER, styles: this.styles });
    for (const chunk of chunks) older.append(chunk);
    older.closeOpen();
    for (let no = older.endNo - 1; no >= older.firstNo; no--) {
      this.unshift(older.text(no), older.style(no), older.stream(no), older.ts(no), older.seq(no));
    }
    if (older.count > 0) this.frontVersion++;
    this.olderAllowance = Math.min(this.olderAllowance + older.count, this.maxLines);
    return older.count;
  }

  /** Lets `trim()` drop lines fetched back with `prepend()` again (when the user follows the end). */
  releaseOlder(): void {
    this.olderAllowance = 0;
  }

  /** Forgets everything, as for a new job. */
  clear(): void {
    this.blocks = [];
    this.open = null;
    this.firstNo = 0;
    this.endNo = 0;
    this.dropped = 0;
    this.olderAllowance = 0;
    this.maxLength = 0;
    this.lastSeq = -1;
    this.frontVersion++;
    this.generation++;
    for (const s of this.scanners) s.reset();
  }
}

/** Where the line from `start` to the newline at `nl` ends: before its `\r`, if it has one. */
function lineEnd(text: string, start: number, nl: number): number {
  return nl > start && text.charCodeAt(nl - 1) === 0x0d ? nl - 1 : nl;
}

/** Drops empty runs, merges equal neighbours, and returns a single id when one style covers the line. */
export function compactRuns(runs: number[], length: number): LineStyle {
  if (runs.length === 2) return runs[1]!;
  const out: number[] = [];
  for (let i = 0; i < runs.length; i += 2) {
    const start = runs[i]!;
    const id = runs[i + 1]!;
    const end = i + 2 < runs.length ? runs[i + 2]! : length;
    if (end <= start) continue;
    if (out.length > 0 && out[out.length - 1] === id) continue;
    out.push(start, id);
  }
  if (out.length === 0) return runs[runs.length - 1]!;
  out[0] = 0;
  return out.length === 2 ? out[1]! : out;
}
