import { textChars, type Chunk } from '../../src/shared/jobs';

/** What a resumed view takes over: a skip to apply first, if one came, then the output held. */
export interface Released {
  /** Characters of held output a skip dropped, to count as consumed; null when no skip came. */
  skippedChars: number | null;
  chunks: Chunk[];
}

// Output that comes while the user has paused the view, held back unconsumed (no credit goes back,
// so the host keeps the rest) until the view resumes. A skip (`console/skip`) that comes meanwhile,
// sent before the host heard of the pause, drops what was held before it; those characters must
// still count as consumed once the view resumes, or the credit window would shrink for good.
export class HeldOutput {
  private chunks: Chunk[] = [];
  private skippedChars: number | null = null;

  append(chunks: readonly Chunk[]): void {
    this.chunks.push(...chunks);
  }

  /** A skip that goes on with `chunks`. */
  skip(chunks: readonly Chunk[]): void {
    this.skippedChars = (this.skippedChars ?? 0) + textChars(this.chunks);
    this.chunks = [...chunks];
  }

  /** Everything held, for the view to take over; empties it. */
  release(): Released {
    const released = { skippedChars: this.skippedChars, chunks: this.chunks };
    this.clear();
    return released;
  }

  clear(): void {
    this.chunks = [];
    this.skippedChars = null;
  }
}
