import { randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Chunk, StreamName } from '../../shared/jobs';

/** How much of a log stays in memory, and where the rest goes. */
export interface ChunkLogOptions {
  /** UTF-8 bytes of chunk text kept in memory; older chunks are written to a file. Default 1 MiB. */
  memoryBytes?: number;
  /** Folder of the spill file; default: the system's temporary folder. */
  dir?: string;
  /** Seq of the first chunk: a stored job replayed from its tail starts past 0. Default 0. */
  firstSeq?: number;
}

const DEFAULT_MEMORY_BYTES = 1024 * 1024;

/** Spill files still open, removed if the process exits before their log is disposed. */
const openFiles = new Set<string>();
let cleanupRegistered = false;

// Every chunk of one job, in seq order, with bounded memory: the newest chunks stay in memory,
// the text of older ones is appended to a temporary file as plain UTF-8 (their time and stream
// stay in memory, a few bytes each) and paged back by `read`, so a view that falls behind or opens
// late can still catch up from any seq it holds. No JSON: spilling costs a copy, not a serialisation.
// File I/O is synchronous: writes go in batches of about half the budget, reads in one call per page.
export class ChunkLog {
  private readonly memoryBytes: number;
  private readonly dir: string;
  /** Seq of the first chunk held; the arrays below are indexed by seq minus this. */
  readonly firstSeq: number;
  /** UTF-8 bytes of the text of every chunk. */
  private readonly textBytes: number[] = [];
  /** Line breaks in the chunks before each one, then in all: counted as they come (a pass like Buffer.byteLength's), so that lineTailStart is a binary search. */
  private readonly breaksBefore: number[] = [0];
  /** Where each spilled chunk starts in the file; then the file's end. */
  private readonly offsets: number[] = [0];
  /** Time and stream of each spilled chunk. */
  private readonly spilledTs: number[] = [];
  private readonly spilledStreams: StreamName[] = [];
  /** Chunks from index `spilled` on. */
  private recent: Chunk[] = [];
  private recentBytes = 0;
  /** UTF-8 bytes of the text of every chunk held. */
  private heldBytes = 0;
  private file: { path: string; fd: number } | undefined;
  private disposed = false;

  constructor(options: ChunkLogOptions = {}) {
    this.memoryBytes = options.memoryBytes ?? DEFAULT_MEMORY_BYTES;
    this.dir = options.dir ?? os.tmpdir();
    this.firstSeq = options.firstSeq ?? 0;
  }

  /** The seq the next chunk must have. */
  get nextSeq(): number {
    return this.firstSeq + this.textBytes.length;
  }

  /** UTF-8 bytes of the text of every chunk held. */
  get bytes(): number {
    return this.heldBytes;
  }

  /** How many of the oldest chunks are on disk rather than in memory. */
  get spilled(): number {
    return this.offsets.length - 1;
  }

  /** Adds chunks in seq order; one already held is skipped (replays are idempotent), a gap throws. */
  append(chunks: readonly Chunk[]): void {
    this.checkOpen();
    for (const chunk of chunks) {
      if (chunk.seq < this.nextSeq) continue;
      if (chunk.seq !== this.nextSeq) throw new Error(`Expected chunk ${this.nextSeq}, got ${chunk.seq}`);
      const bytes = Buffer.byteLength(chunk.text);
      this.textBytes.push(bytes);
      this.breaksBefore.push(this.breaksBefore[this.breaksBefore.length - 1] + lineBreaks(chunk.text));
      this.recent.push(chunk);
      this.recentBytes += bytes;
      this.heldBytes += bytes;
    }
    if (this.recentBytes > this.memoryBytes) this.spill();
  }

  /**
   * Chunks from `fromSeq` on (from the first held, if that is later), in order, their text adding
   * up to at most `maxBytes` (but at least one chunk).
   */
  read(fromSeq: number, maxBytes: number): Chunk[] {
    this.checkOpen();
    const from = Math.max(0, Math.floor(fromSeq) - this.firstSeq);
    let end = from;
    for (let total = 0; end < this.textBytes.length; end++) {
      total += this.textBytes[end];
      if (total > maxBytes && end > from) break;
    }
    const fromDisk = from < this.spilled ? this.readSpilled(from, Math.min(end, this.spilled)) : [];
    const fromMemory = this.recent.slice(Math.max(0, from - this.spilled), Math.max(0, end - this.spilled));
    return fromDisk.concat(fromMemory);
  }

  /** The seq from which the last chunks hold about `maxBytes` of text (at least the last chunk). */
  tailStart(maxBytes: number): number {
    const count = this.textBytes.length;
    let start = count;
    for (let total = 0; start > 0; start--) {
      total += this.textBytes[start - 1];
      if (total > maxBytes && start < count) break;
    }
    return this.firstSeq + start;
  }

  /**
   * The seq from which the chunks to the end hold more than `lines` line breaks: a view that keeps
   * its last `lines` lines keeps none before it. The first seq held when they all hold no more.
   */
  lineTailStart(lines: number): number {
    const breaks = this.breaksBefore;
    const total = breaks[breaks.length - 1];
    if (total <= lines) return this.firstSeq;
    // The last index with more than `lines` breaks from it to the end: breaks[0] is 0, so index 0
    // has them, and the end (index `length - 1`) has none.
    let low = 0;
    let high = breaks.length - 1;
    while (high - low > 1) {
      const mid = (low + high) >>> 1;
      if (total - breaks[mid] > lines) low = mid;
      else high = mid;
    }
    return this.firstSeq + low;
  }

  /** Removes the spill file; the log cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.recent = [];
    if (this.file) {
      closeSync(this.file.fd);
      rmSync(this.file.path, { force: true });
      openFiles.delete(this.file.path);
      this.file = undefined;
    }
  }

  /** Writes the oldest chunks in memory to the file until half the budget is left. */
  private spill(): void {
    const file = this.openFile();
    const start = this.offsets[this.offsets.length - 1];
    const ends: number[] = [];
    let end = start;
    for (let i = 0; i < this.recent.length && this.recentBytes - (end - start) > this.memoryBytes / 2; i++) {
      ends.push((end += this.textBytes[this.recent[i].seq - this.firstSeq]));
    }
    // Each text is encoded straight into one buffer: joining the texts and encoding the result
    // took about 7 ms per MB of output, this well under 1.
    const data = Buffer.allocUnsafe(end - start);
    for (let i = 0; i < ends.length; i++) data.write(this.recent[i].text, (ends[i - 1] ?? start) - start, 'utf8');
    // A failed write (disk full) throws before anything changes: the chunks stay in memory.
    for (let written = 0; written < data.length; ) written += writeSync(file.fd, data, written, data.length - written, start + written);
    for (let i = 0; i < ends.length; i++) {
      this.offsets.push(ends[i]);
      this.spilledTs.push(this.recent[i].ts);
      this.spilledStreams.push(this.recent[i].stream);
    }
    this.recent = this.recent.slice(ends.length);
    this.recentBytes -= end - start;
  }

  /** Chunks at indexes `from` to `end` (exclusive) from the file, in one read. */
  private readSpilled(from: number, end: number): Chunk[] {
    const start = this.offsets[from];
    const data = Buffer.alloc(this.offsets[end] - start);
    for (let read = 0; read < data.length; ) {
      const n = readSync(this.file!.fd, data, read, data.length - read, start + read);
      if (n === 0) throw new Error(`Spill file ${this.file!.path} ends early`);
      read += n;
    }
    const chunks: Chunk[] = [];
    for (let i = from; i < end; i++) {
      const text = data.toString('utf8', this.offsets[i] - start, this.offsets[i + 1] - start);
      chunks.push({ seq: this.firstSeq + i, ts: this.spilledTs[i], stream: this.spilledStreams[i], text });
    }
    return chunks;
  }

  private openFile(): { path: string; fd: number } {
    if (!this.file) {
      const file = path.join(this.dir, `vmo-chunks-${randomUUID()}.txt`);
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      // Output may hold secrets: the file is the user's alone.
      this.file = { path: file, fd: openSync(file, 'wx+', 0o600) };
      openFiles.add(file);
      if (!cleanupRegistered) {
        cleanupRegistered = true;
        process.once('exit', () => openFiles.forEach((f) => rmSync(f, { force: true })));
      }
    }
    return this.file;
  }

  private checkOpen(): void {
    if (this.disposed) throw new Error('The chunk log was disposed');
  }
}

function lineBreaks(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) count++;
  return count;
}
