// Find in a log: searches the plain text of every line held (not only the rendered rows), a
// slice at a time so that a search over a million lines never blocks a frame for long, and
// keeps up with lines appended while it is open.
import { escapeRegExp } from '../../src/shared/regexp';
import type { LineStore } from './lineStore';

export interface FindQuery {
  text: string;
  caseSensitive: boolean;
}

/** A match: the line, and which occurrence in that line. */
export interface MatchPosition {
  line: number;
  occurrence: number;
}

/** Occurrences of `query` in `text`, as [start, end) pairs, not overlapping. */
export function matchRanges(text: string, query: FindQuery): number[] {
  const out: number[] = [];
  const q = query.text;
  if (q === '') return out;
  if (query.caseSensitive) {
    for (let i = text.indexOf(q); i >= 0; i = text.indexOf(q, i + q.length)) out.push(i, i + q.length);
  } else {
    const re = new RegExp(escapeRegExp(q), 'gi');
    for (let m = re.exec(text); m !== null; m = re.exec(text)) out.push(m.index, m.index + m[0].length);
  }
  return out;
}

/** Counts occurrences; returns 0 fast for the (usual) line without one. */
type Counter = (text: string) => number;

function counter(query: FindQuery): Counter {
  const q = query.text;
  if (query.caseSensitive) {
    return (text) => {
      let i = text.indexOf(q);
      if (i < 0) return 0;
      let n = 0;
      for (; i >= 0; i = text.indexOf(q, i + q.length)) n++;
      return n;
    };
  }
  const test = new RegExp(escapeRegExp(q), 'i');
  const all = new RegExp(escapeRegExp(q), 'gi');
  return (text) => {
    if (!test.test(text)) return 0;
    all.lastIndex = 0;
    let n = 0;
    while (all.exec(text) !== null) n++;
    return n;
  };
}

/**
 * The matches of one query over a store. Matching lines are kept in ascending order with a
 * running total of occurrences, so the k-th match is a binary search away.
 */
export class FindSession {
  readonly query: FindQuery;
  private readonly count: Counter;
  private readonly include: (stream: number) => boolean;
  private lines = new Int32Array(1024);
  /** cum[i]: occurrences in lines[0..i]. */
  private cum = new Float64Array(1024);
  private len = 0;
  /** Entries before `head` are lines that were dropped from the store. */
  private head = 0;
  /** The next line to search. */
  private cursor: number;
  /** A line searched while it was still being written, to search again; or -1. */
  private recheck = -1;

  constructor(
    private readonly store: LineStore,
    query: FindQuery,
    include: (stream: number) => boolean = () => true,
  ) {
    this.query = query;
    this.count = counter(query);
    this.include = include;
    this.cursor = store.firstNo;
  }

  /** True when every line held has been searched. */
  get done(): boolean {
    return this.cursor >= this.store.endNo;
  }

  /** Number of matches among the lines held (so far, while not `done`). */
  get total(): number {
    if (this.len === this.head) return 0;
    return this.cum[this.len - 1]! - (this.head > 0 ? this.cum[this.head - 1]! : 0);
  }

  /** Number of lines with a match. */
  get matchingLines(): number {
    return this.len - this.head;
  }

  /**
   * Searches on until `deadline` (a `performance.now()` value) or the end. Call it every frame:
   * it also forgets dropped lines and searches again the line that is still being written.
   */
  step(deadline: number, now: () => number = () => performance.now()): void {
    const store = this.store;
    while (this.head < this.len && this.lines[this.head]! < store.firstNo) this.head++;
    if (this.recheck >= 0) {
      // The line that was still being written when it was searched may have changed since.
      while (this.len > this.head && this.lines[this.len - 1]! >= this.recheck) this.len--;
      if (this.cursor > this.recheck) this.cursor = this.recheck;
      this.recheck = -1;
    }
    if (this.cursor < store.firstNo) this.cursor = store.firstNo;
    const end = store.endNo;
    let no = this.cursor;
    while (no < end) {
      const sliceEnd = Math.min(end, no + 4096);
      for (; no < sliceEnd; no++) {
        if (!this.include(store.stream(no))) continue;
        const n = this.count(store.text(no));
        if (n > 0) this.add(no, n);
      }
      if (now() >= deadline) break;
    }
    this.cursor = no;
    const open = store.openNo;
    if (open >= 0 && open < no) this.recheck = open;
  }

  private add(line: number, n: number): void {
    if (this.len === this.lines.length) {
      if (this.head > this.len / 2) {
        const base = this.cum[this.head - 1]!;
        this.lines.copyWithin(0, this.head, this.len);
        for (let i = this.head; i < this.len; i++) this.cum[i - this.head] = this.cum[i]! - base;
        this.len -= this.head;
        this.head = 0;
      } else {
        const lines = new Int32Array(this.lines.length * 2);
        lines.set(this.lines);
        this.lines = lines;
        const cum = new Float64Array(this.cum.length * 2);
        cum.set(this.cum);
        this.cum = cum;
      }
    }
    const before = this.len > 0 ? this.cum[this.len - 1]! : 0;
    this.lines[this.len] = line;
    this.cum[this.len] = before + n;
    this.len++;
  }

  /** The k-th match (0-based) among the lines held. */
  at(k: number): MatchPosition | undefined {
    if (k < 0 || k >= this.total) return undefined;
    const base = this.head > 0 ? this.cum[this.head - 1]! : 0;
    const g = base + k;
    let lo = this.head;
    let hi = this.len - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cum[mid]! > g) hi = mid;
      else lo = mid + 1;
    }
    const before = lo > 0 ? this.cum[lo - 1]! : 0;
    return { line: this.lines[lo]!, occurrence: g - before };
  }

  /** The index of a match, or -1 when it is not (or no longer) one. */
  indexOf(pos: MatchPosition): number {
    const i = this.lowerBound(pos.line);
    if (i >= this.len || this.lines[i] !== pos.line) return -1;
    const before = i > 0 ? this.cum[i - 1]! : 0;
    const inLine = this.cum[i]! - before;
    if (pos.occurrence >= inLine) return -1;
    const base = this.head > 0 ? this.cum[this.head - 1]! : 0;
    return before - base + pos.occurrence;
  }

  /** The index of the first match on or after `line`, or -1 when there is none (yet). */
  firstFrom(line: number): number {
    const i = this.lowerBound(line);
    if (i >= this.len) return -1;
    const base = this.head > 0 ? this.cum[this.head - 1]! : 0;
    return (i > 0 ? this.cum[i - 1]! : 0) - base;
  }

  /** The index of the last match before `line`, or -1. */
  lastBefore(line: number): number {
    const i = this.lowerBound(line);
    if (i <= this.head) return -1;
    const base = this.head > 0 ? this.cum[this.head - 1]! : 0;
    return this.cum[i - 1]! - base - 1;
  }

  private lowerBound(line: number): number {
    let lo = this.head;
    let hi = this.len;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.lines[mid]! < line) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
