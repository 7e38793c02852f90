import { TextDecoder } from 'node:util';
import type { Chunk, StreamName } from '../../shared/jobs';

/** How output is cut into chunks. */
export interface ChunkingOptions {
  /** Complete lines wait at most this long; a partial last line at most twice this long. */
  flushMs?: number;
  /** A chunk holds at most this many UTF-16 code units; a longer line is split. */
  maxChunkChars?: number;
}

const DEFAULT_FLUSH_MS = 25;
const DEFAULT_MAX_CHUNK_CHARS = 64 * 1024;

interface Pending {
  decoder: TextDecoder;
  text: string;
  /** When the first code unit of `text` arrived (epoch ms). */
  ts: number;
  /** Where the latest write starts in `text`, and when it arrived. */
  lastWriteAt: number;
  lastWriteTs: number;
  /** A partial last line already survived one flush: the next flush emits it. */
  partialHeld: boolean;
}

// Turns the bytes of a job's streams into few, large chunks cut on line boundaries, numbered
// 0, 1, 2 … without gaps. UTF-8 is decoded as a stream, so a character split across reads stays
// whole and invalid bytes become U+FFFD. Lines wait up to `flushMs` to be batched, so a flood
// makes ~64 KB chunks while a quiet program is still shown within a few tens of milliseconds.
export class LineChunker {
  private readonly pending = new Map<StreamName, Pending>();
  private readonly flushMs: number;
  private readonly maxChars: number;
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;

  constructor(
    private readonly emit: (chunk: Chunk) => void,
    options: ChunkingOptions = {},
  ) {
    this.flushMs = options.flushMs ?? DEFAULT_FLUSH_MS;
    this.maxChars = Math.max(2, options.maxChunkChars ?? DEFAULT_MAX_CHUNK_CHARS);
  }

  /** Bytes read from one of the program's streams. */
  write(stream: StreamName, bytes: Uint8Array): void {
    this.append(stream, this.stateOf(stream).decoder.decode(bytes, { stream: true }));
  }

  /** A message of our own (stream `system`): everything pending is emitted first, so it lands in order. */
  note(text: string): void {
    this.flushAll(true);
    this.emitText('system', text, Date.now());
  }

  /** The streams ended: decodes what the decoders held back and emits everything. */
  end(): void {
    for (const [stream, state] of this.pending) this.append(stream, state.decoder.decode());
    this.flushAll(true);
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private stateOf(stream: StreamName): Pending {
    let state = this.pending.get(stream);
    if (!state) {
      state = { decoder: new TextDecoder('utf-8', { ignoreBOM: true }), text: '', ts: 0, lastWriteAt: 0, lastWriteTs: 0, partialHeld: false };
      this.pending.set(stream, state);
    }
    return state;
  }

  private append(stream: StreamName, text: string): void {
    if (text === '') return;
    // Lines of the other streams that came before these are emitted before them.
    for (const [other, state] of this.pending) if (other !== stream) this.cut(other, state, false);
    const state = this.stateOf(stream);
    const now = Date.now();
    if (state.text === '') state.ts = now;
    state.lastWriteAt = state.text.length;
    state.lastWriteTs = now;
    state.text += text;
    if (text.includes('\n')) state.partialHeld = false;
    while (state.text.length >= this.maxChars) this.cutAt(stream, state, this.sizeCut(state.text));
    if (state.text !== '' && this.timer === undefined) this.timer = setTimeout(() => this.onTimer(), this.flushMs);
  }

  private onTimer(): void {
    this.timer = undefined;
    for (const [stream, state] of this.pending) {
      this.cut(stream, state, state.partialHeld);
      state.partialHeld = state.text !== '';
    }
    if ([...this.pending.values()].some((s) => s.text !== '')) this.timer = setTimeout(() => this.onTimer(), this.flushMs);
  }

  private flushAll(withPartial: boolean): void {
    for (const [stream, state] of this.pending) this.cut(stream, state, withPartial);
  }

  /** Emits the complete lines of `state`, and the partial last line too when `withPartial`. */
  private cut(stream: StreamName, state: Pending, withPartial: boolean): void {
    const end = withPartial ? state.text.length : state.text.lastIndexOf('\n') + 1;
    if (end > 0) this.cutAt(stream, state, end);
  }

  /** Where a full buffer is cut: after its last newline, else at the limit (never inside a surrogate pair). */
  private sizeCut(text: string): number {
    const newline = text.lastIndexOf('\n', this.maxChars - 1);
    if (newline >= 0) return newline + 1;
    const highSurrogate = /[\uD800-\uDBFF]/.test(text[this.maxChars - 1]);
    return highSurrogate ? this.maxChars - 1 : this.maxChars;
  }

  private cutAt(stream: StreamName, state: Pending, end: number): void {
    this.emitText(stream, state.text.slice(0, end), state.ts);
    state.text = state.text.slice(end);
    // The rest started either in the latest write (we know when) or before it (as old as the chunk).
    if (end >= state.lastWriteAt) state.ts = state.lastWriteTs;
    state.lastWriteAt = Math.max(0, state.lastWriteAt - end);
  }

  private emitText(stream: StreamName, text: string, ts: number): void {
    this.emit({ seq: this.seq++, ts, stream, text });
  }
}
