// Visual rows of a view: one per line without wrapping; with wrapping, an estimate of
// ceil(characters / columns) per line (exact for a monospace font without wide characters or
// tabs). Only the scroll height and the first rendered line come from the estimate: rendered
// rows flow with their real heights, so an estimate that is off never overlaps text.
import type { LineStore } from './lineStore';
import type { LineView } from './lineView';
import { MAX_RENDERED_CHARS } from './rows';

export class RowMap {
  private wrap = false;
  private cols = 80;
  private extra = 0;
  /**
   * pre[e - base]: rows of view entries before entry e, where entry e is position e - shift
   * (entries only ever drop off the front until the view's version changes).
   */
  private pre = new Float64Array(4097);
  private base = 0;
  /** Entries with their rows counted: pre is valid up to entry `covered`. */
  private covered = 0;
  private viewVersion = -1;
  /** The entry of the line being written at the last sync, or -1. */
  private recheck = -1;

  constructor(
    private readonly store: LineStore,
    private readonly view: LineView,
  ) {}

  /**
   * Catches up with the view. `cols` is how many characters fit in a row, `extra` how many a
   * row prefix (the timestamp) takes.
   */
  sync(wrap: boolean, cols: number, extra: number): void {
    cols = Math.max(1, Math.floor(cols));
    if (!wrap) {
      this.wrap = false;
      return;
    }
    const view = this.view;
    const shift = view.shift;
    const stale = !this.wrap || cols !== this.cols || extra !== this.extra || view.version !== this.viewVersion;
    if (stale || this.covered < shift) {
      this.wrap = true;
      this.cols = cols;
      this.extra = extra;
      this.viewVersion = view.version;
      this.base = shift;
      this.covered = shift;
      this.recheck = -1;
      this.pre[0] = 0;
    }
    if (shift - this.base > this.pre.length / 2) {
      // Forget the rows of entries long dropped.
      this.pre.copyWithin(0, shift - this.base, this.covered - this.base + 1);
      this.base = shift;
    }
    const end = shift + view.count;
    // The line that was being written at the last sync may have grown (or ended) since.
    if (this.recheck >= 0 && this.recheck < this.covered) this.covered = Math.max(this.recheck, shift);
    if (this.covered > end) this.covered = end;
    if (this.pre.length < end - this.base + 1) {
      const pre = new Float64Array(Math.max(end - this.base + 1, this.pre.length * 2));
      pre.set(this.pre.subarray(0, this.covered - this.base + 1));
      this.pre = pre;
    }
    const pre = this.pre;
    for (let e = this.covered; e < end; e++) {
      const i = e - this.base;
      pre[i + 1] = pre[i]! + this.rowsOf(view.lineAt(e - shift));
    }
    this.covered = end;
    const open = this.store.openNo;
    this.recheck = open >= 0 ? view.positionOf(open) + shift : -1;
  }

  private rowsOf(no: number): number {
    const length = Math.min(this.store.text(no).length, MAX_RENDERED_CHARS) + this.extra;
    return length <= this.cols ? 1 : Math.ceil(length / this.cols);
  }

  private at(pos: number): number {
    return this.pre[pos + this.view.shift - this.base]!;
  }

  get totalRows(): number {
    return this.wrap ? this.at(this.view.count) - this.at(0) : this.view.count;
  }

  /** Rows above position `pos`. */
  rowsBefore(pos: number): number {
    return this.wrap ? this.at(Math.min(pos, this.view.count)) - this.at(0) : pos;
  }

  /** The position whose rows contain visual row `row`. */
  positionAtRow(row: number): number {
    const last = Math.max(0, this.view.count - 1);
    if (row <= 0) return 0;
    if (!this.wrap) return Math.min(Math.floor(row), last);
    const target = row + this.at(0);
    let lo = 0;
    let hi = this.view.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.at(mid + 1) <= target) lo = mid + 1;
      else hi = mid;
    }
    return Math.min(lo, last);
  }
}
