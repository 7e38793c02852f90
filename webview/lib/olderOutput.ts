import type { Chunk } from '../../src/shared/jobs';
import type { LineStore } from './lineStore';

/** How much older output to ask for at a time. */
export const OLDER_CHARS = 256 * 1024;

// A job's older output, read back as the view scrolls to its top: output the view was opened
// without (a stored job opens at its end) or dropped (beyond its line limit). One request at a
// time, until one reaches the first chunk; what a notice above the first line says meanwhile.
export class OlderOutput {
  private canFetch = false;
  private hasMore = true;
  private pending = false;
  /** The seq the pending request asked for the output before. */
  private before = 0;

  /** A new job: whether anything before its first chunk shown can be asked for. */
  reset(canFetch: boolean): void {
    this.canFetch = canFetch;
    this.hasMore = true;
    this.pending = false;
  }

  /** The seq to ask for the output before, now pending; undefined when there is nothing to ask. */
  request(store: LineStore): number | undefined {
    if (!this.canFetch || !this.hasMore || this.pending || store.count === 0 || store.firstSeq <= 0) return undefined;
    this.pending = true;
    this.before = store.firstSeq;
    return this.before;
  }

  /**
   * The answer came (or failed: `hasMore` false). True when its chunks are for the view's
   * prepend(); false for the answer to a request made before the last reset, whose chunks would
   * not join the lines shown now.
   */
  answered(chunks: readonly Chunk[], hasMore: boolean): boolean {
    if (!this.pending || (chunks.length > 0 && chunks[chunks.length - 1]!.seq !== this.before - 1)) return false;
    this.pending = false;
    this.hasMore = hasMore && chunks.length > 0;
    return true;
  }

  /** What the top of the view says about output before it, or null; `whole` says where all of it is. */
  notice(store: LineStore, whole: string): string | null {
    if (this.canFetch && this.hasMore && store.firstSeq > 0) return this.pending ? 'Loading older output…' : 'Older output is loaded as you scroll up.';
    const dropped = store.dropped;
    if (dropped === 0) return null;
    return `${dropped.toLocaleString()} older line${dropped === 1 ? ' is' : 's are'} not kept here: ${whole}.`;
  }
}
