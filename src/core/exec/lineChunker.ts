import { TextDecoder } from 'node:util';
import { REPORT_MAX_CHARS } from '../../shared/hubProtocol';
import type { Chunk, StreamName } from '../../shared/jobs';

/** How output is cut into chunks. */
export interface ChunkingOptions {
  /** Complete lines wait at most this long; a partial last line at most twice this long. */
  flushMs?: number;
  /** A chunk holds at most this many bytes of UTF-8, so as many UTF-16 code units at most; a longer line is split. */
  maxChunkChars?: number;
}

const DEFAULT_FLUSH_MS = 25;
const NEWLINE = 0x0a;
/** Bytes of a character cut at the end of a chunk that the decoder holds: they start the next one. */
const HELD_MAX = 3;

interface Pending {
  decoder: TextDecoder;
  /** The decoder holds no bytes of a character cut before: the next chunk may be decoded at once. */
  clean: boolean;
  /** Bytes read and not yet emitted: the first `bytes` of `buffer`, which is reused and grows when it must. */
  buffer: Buffer;
  bytes: number;
  /** When the first byte pending arrived (epoch ms). */
  ts: number;
  /** Where the latest write starts among the pending bytes, and when it arrived. */
  lastWriteAt: number;
  lastWriteTs: number;
  /** A partial last line already survived one flush: the next flush emits it. */
  partialHeld: boolean;
}

// Turns the bytes of a job's streams into few, large chunks cut on line boundaries, numbered
// 0, 1, 2 … without gaps. Lines wait up to `flushMs` to be batched, so a flood makes chunks of
// REPORT_MAX_CHARS (each one report to the hub) while a quiet program is still shown within a
// few tens of milliseconds. Bytes are copied into one buffer per stream as they come and decoded
// once per chunk, as a stream: a character split across reads or cuts stays whole and invalid
// bytes become U+FFFD. Joining the decoded reads of a pty (about 4 KB each) into one string and
// searching it took ~9 ms per MB on a 2-core machine; finding the newline among the bytes and
// decoding the chunk at once takes well under 1. A chunk is decoded as a stream only when a cut
// may split a character: Node's streaming TextDecoder goes through ICU, which took 5 times as long
// as decoding at once (120 against 23 ms per 100 MB of log lines), and nearly every chunk ends at
// a newline, after which the decoder holds nothing.
export class LineChunker {
  private readonly pending = new Map<StreamName, Pending>();
  private readonly flushMs: number;
  private readonly maxBytes: number;
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;

  constructor(
    private readonly emit: (chunk: Chunk) => void,
    options: ChunkingOptions = {},
  ) {
    this.flushMs = options.flushMs ?? DEFAULT_FLUSH_MS;
    // Room is left for what the decoder held back from the chunk before (at most one UTF-16
    // code unit per byte), so that no chunk is longer than maxChunkChars.
    this.maxBytes = Math.max(HELD_MAX + 1, options.maxChunkChars ?? REPORT_MAX_CHARS) - HELD_MAX;
  }

  /** Bytes read from one of the program's streams. */
  write(stream: StreamName, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    // Lines of the other streams that came before these are emitted before them.
    for (const [other, state] of this.pending) if (other !== stream) this.cut(other, state, false);
    const state = this.stateOf(stream);
    const now = Date.now();
    if (state.bytes === 0) state.ts = now;
    state.lastWriteAt = state.bytes;
    state.lastWriteTs = now;
    if (state.bytes + bytes.length > state.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * state.buffer.length, state.bytes + bytes.length));
      state.buffer.copy(grown, 0, 0, state.bytes);
      state.buffer = grown;
    }
    state.buffer.set(bytes, state.bytes);
    state.bytes += bytes.length;
    if (bytes.includes(NEWLINE)) state.partialHeld = false;
    while (state.bytes >= this.maxBytes) this.cutAt(stream, state, this.sizeCut(state));
    if (state.bytes > 0 && this.timer === undefined) this.timer = setTimeout(() => this.onTimer(), this.flushMs);
  }

  /** A message of our own (stream `system`): everything pending is emitted first, so it lands in order. */
  note(text: string): void {
    this.flushAll(false);
    this.emitText('system', text, Date.now());
  }

  /** The streams ended: emits everything, with what the decoders held back. */
  end(): void {
    this.flushAll(true);
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private stateOf(stream: StreamName): Pending {
    let state = this.pending.get(stream);
    if (!state) {
      state = { decoder: new TextDecoder('utf-8', { ignoreBOM: true }), clean: true, buffer: Buffer.allocUnsafe(2 * this.maxBytes), bytes: 0, ts: 0, lastWriteAt: 0, lastWriteTs: 0, partialHeld: false };
      this.pending.set(stream, state);
    }
    return state;
  }

  private onTimer(): void {
    this.timer = undefined;
    for (const [stream, state] of this.pending) {
      this.cut(stream, state, state.partialHeld);
      state.partialHeld = state.bytes > 0;
    }
    if ([...this.pending.values()].some((s) => s.bytes > 0)) this.timer = setTimeout(() => this.onTimer(), this.flushMs);
  }

  /** Emits everything pending; `final`: the streams ended, so the decoders give up what they hold. */
  private flushAll(final: boolean): void {
    for (const [stream, state] of this.pending) this.cutAt(stream, state, state.bytes, final);
  }

  /** Emits the complete lines of `state`, and the partial last line too when `withPartial`. */
  private cut(stream: StreamName, state: Pending, withPartial: boolean): void {
    const end = withPartial ? state.bytes : state.buffer.subarray(0, state.bytes).lastIndexOf(NEWLINE) + 1;
    if (end > 0) this.cutAt(stream, state, end);
  }

  /** Where a full buffer is cut: after its last newline within the limit, else at the limit. */
  private sizeCut(state: Pending): number {
    return state.buffer.subarray(0, state.bytes).lastIndexOf(NEWLINE, this.maxBytes - 1) + 1 || this.maxBytes;
  }

  private cutAt(stream: StreamName, state: Pending, end: number, final = false): void {
    const text = this.decode(state, end, final);
    state.buffer.copyWithin(0, end, state.bytes);
    state.bytes -= end;
    if (text !== '') this.emitText(stream, text, state.ts);
    // The rest started either in the latest write (we know when) or before it (as old as the chunk).
    if (end >= state.lastWriteAt) state.ts = state.lastWriteTs;
    state.lastWriteAt = Math.max(0, state.lastWriteAt - end);
  }

  // The first `end` bytes as text. A chunk that ends with an ASCII byte (a newline, say) cuts no
  // character: with nothing held from before, it is decoded at once, invalid bytes becoming U+FFFD
  // as the stream decoder makes them. Otherwise a character cut at `end` stays in the decoder and
  // starts the next chunk, and the decoder is used until a chunk ends whole again.
  private decode(state: Pending, end: number, final: boolean): string {
    const endsWhole = end > 0 && state.buffer[end - 1] < 0x80;
    if (state.clean && (endsWhole || final)) return state.buffer.toString('utf8', 0, end);
    const text = state.decoder.decode(state.buffer.subarray(0, end), { stream: !final });
    state.clean = endsWhole || final;
    return text;
  }

  private emitText(stream: StreamName, text: string, ts: number): void {
    this.emit({ seq: this.seq++, ts, stream, text });
  }
}
