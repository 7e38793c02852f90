// The lines a console shows after its stream filter: positions 0 … count-1 mapped to line
// numbers. Showing every stream costs nothing; a filter keeps an index of the lines it lets
// through, extended as lines arrive and rebuilt only when the filter changes or older lines
// are put in front.
import type { LineStore } from './lineStore';

export class LineView {
  private filter: readonly boolean[] = [true, true, true];
  private all = true;
  private nos = new Int32Array(4096);
  private head = 0;
  private len = 0;
  /** One past the last line number looked at. */
  private indexedEnd = 0;
  /** The store's first line when `version` last changed. */
  private baseFirst = 0;
  private storeFront = -1;
  private storeGeneration = -1;
  private droppedEntries = 0;
  /** Bumped when positions change other than by lines added at the end or dropped at the front. */
  version = 0;

  constructor(private readonly store: LineStore) {}

  /** Which streams (by number: stdout, stderr, system) are shown. */
  setFilter(filter: readonly boolean[]): void {
    this.filter = filter.slice();
    this.all = filter.every(Boolean);
    this.rebuild();
  }

  includes(stream: number): boolean {
    return this.filter[stream] === true;
  }

  get filtered(): boolean {
    return !this.all;
  }

  /** Positions dropped at the front since `version` last changed: position p was p + shift then. */
  get shift(): number {
    return this.all ? this.store.firstNo - this.baseFirst : this.droppedEntries;
  }

  /** Catches up with the store; call once per frame after appending or trimming. */
  sync(): void {
    const store = this.store;
    if (store.generation !== this.storeGeneration || store.firstNo < this.baseFirst) {
      this.rebuild();
      return;
    }
    if (store.frontVersion !== this.storeFront) {
      this.storeFront = store.frontVersion;
      while (this.head < this.len && this.nos[this.head]! < store.firstNo) {
        this.head++;
        this.droppedEntries++;
      }
    }
    if (this.all) return;
    for (let no = Math.max(this.indexedEnd, store.firstNo); no < store.endNo; no++) {
      if (this.filter[store.stream(no)]) this.add(no);
    }
    this.indexedEnd = store.endNo;
  }

  /** Starts over, e.g. after the store was cleared. */
  rebuild(): void {
    this.version++;
    this.head = 0;
    this.len = 0;
    this.droppedEntries = 0;
    this.baseFirst = this.store.firstNo;
    this.indexedEnd = this.store.firstNo;
    this.storeFront = this.store.frontVersion;
    this.storeGeneration = this.store.generation;
    if (!this.all) this.sync();
  }

  private add(no: number): void {
    if (this.len === this.nos.length) {
      if (this.head > this.len / 2) {
        this.nos.copyWithin(0, this.head, this.len);
        this.len -= this.head;
        this.head = 0;
      } else {
        const nos = new Int32Array(this.nos.length * 2);
        nos.set(this.nos);
        this.nos = nos;
      }
    }
    this.nos[this.len++] = no;
  }

  get count(): number {
    return this.all ? this.store.count : this.len - this.head;
  }

  /** The line number at a position. */
  lineAt(pos: number): number {
    return this.all ? this.store.firstNo + pos : this.nos[this.head + pos]!;
  }

  /** The position of line `no`, or of the first shown line after it (`count` when none). */
  positionOf(no: number): number {
    if (this.all) return Math.min(Math.max(no - this.store.firstNo, 0), this.store.count);
    let lo = this.head;
    let hi = this.len;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.nos[mid]! < no) lo = mid + 1;
      else hi = mid;
    }
    return lo - this.head;
  }
}
