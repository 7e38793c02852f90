// Incoming chunks wait here until a frame has time to parse them; what has been parsed is
// acknowledged to the host as credit (see `console/credit`), so the host never sends more than
// a window ahead of what the webview has consumed.
import type { Chunk } from '../../src/shared/jobs';

export class CreditFeed {
  private queue: Chunk[] = [];
  private next = 0;
  /** Characters of chunk text consumed since `reset()`. */
  consumed = 0;
  /** Characters waiting. */
  queued = 0;

  push(chunks: readonly Chunk[]): void {
    for (const c of chunks) {
      this.queue.push(c);
      this.queued += c.text.length;
    }
  }

  get pending(): boolean {
    return this.next < this.queue.length;
  }

  /**
   * Hands chunks to `consume` until the queue is empty or `now()` passes `deadline`; at least
   * one chunk per call, so that a slow frame still makes progress. Returns the chunks consumed.
   */
  drain(consume: (chunk: Chunk) => void, deadline: number, now: () => number = () => performance.now()): number {
    let n = 0;
    while (this.next < this.queue.length) {
      const chunk = this.queue[this.next++]!;
      consume(chunk);
      this.consumed += chunk.text.length;
      this.queued -= chunk.text.length;
      n++;
      if (now() >= deadline) break;
    }
    if (this.next === this.queue.length) {
      this.queue = [];
      this.next = 0;
    } else if (this.next > 4096) {
      this.queue = this.queue.slice(this.next);
      this.next = 0;
    }
    return n;
  }

  /** Drops what waits, counted as consumed, and `alsoDropped` characters the caller held back. */
  skip(alsoDropped = 0): void {
    const consumed = this.consumed + this.queued + alsoDropped;
    this.reset();
    this.consumed = consumed;
  }

  reset(): void {
    this.queue = [];
    this.next = 0;
    this.consumed = 0;
    this.queued = 0;
  }
}
