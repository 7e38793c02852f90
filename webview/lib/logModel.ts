// Everything a log console knows, without the DOM: the lines, the stream filter, the visual
// rows, find and its current match, and the rows built for display. One per console; the
// Svelte components read it and call it, the host's messages feed it.
import type { Chunk, StreamName } from '../../src/shared/jobs';
import { FindSession, type FindQuery, type MatchPosition } from './find';
import { LineStore, STREAM_OF } from './lineStore';
import { LineView } from './lineView';
import { RowMap } from './rowMap';
import { buildRow, formatTime, type RowData } from './rows';

export class LogModel {
  readonly store: LineStore;
  readonly view: LineView;
  readonly rows: RowMap;
  private session: FindSession | null = null;
  /** The match shown as current, kept as a position so that it survives appends and drops. */
  current: MatchPosition | null = null;
  /** After a new query: select the first match from this line once it is found. */
  private selectFrom: number | null = null;
  private filter: boolean[] = [true, true, true];
  private cache = new Map<number, { row: RowData; text: string; currentOccurrence: number }>();
  private cacheKey = '';

  constructor(maxLines: number) {
    this.store = new LineStore({ maxLines });
    this.view = new LineView(this.store);
    this.rows = new RowMap(this.store, this.view);
  }

  /** Forgets all lines, as for a new job. */
  reset(maxLines: number): void {
    this.store.clear();
    this.store.maxLines = Math.max(1, maxLines);
    this.view.rebuild();
    this.cache.clear();
    if (this.session) this.setFind(this.session.query);
  }

  append(chunk: Chunk): void {
    this.store.append(chunk);
  }

  /** Drops lines beyond the limit and brings the view up to date; once per frame. */
  settle(): number {
    const dropped = this.store.trim();
    this.view.sync();
    if (this.cache.size > 2000) this.cache.clear();
    return dropped;
  }

  /** Puts older lines (from `console/older`) in front. */
  prepend(chunks: Chunk[]): number {
    const added = this.store.prepend(chunks);
    this.view.sync();
    if (added > 0 && this.session) this.setFind(this.session.query, this.current?.line ?? null);
    return added;
  }

  get streamFilter(): readonly boolean[] {
    return this.filter;
  }

  /** Shows only the streams whose flag is set (stdout, stderr, system). */
  setStreamFilter(filter: readonly boolean[]): void {
    this.filter = filter.slice();
    this.view.setFilter(this.filter);
    if (this.session) this.setFind(this.session.query, this.current?.line ?? null);
  }

  // ── find ──

  get findQuery(): FindQuery | null {
    return this.session?.query ?? null;
  }

  get findDone(): boolean {
    return this.session === null || this.session.done;
  }

  get matchCount(): number {
    return this.session?.total ?? 0;
  }

  /** The index of the current match, or -1. */
  get currentIndex(): number {
    return this.session && this.current ? this.session.indexOf(this.current) : -1;
  }

  /** Starts a search (null or empty text ends it); the first match at or after `fromLine` becomes current. */
  setFind(query: FindQuery | null, fromLine: number | null = null): void {
    if (!query || query.text === '') {
      this.session = null;
      this.current = null;
      this.selectFrom = null;
      return;
    }
    const view = this.view;
    this.session = new FindSession(this.store, query, (s) => view.includes(s));
    this.current = null;
    this.selectFrom = fromLine ?? this.store.firstNo;
  }

  /** Searches until `deadline`; returns true when the current match changed. */
  stepFind(deadline: number): boolean {
    const session = this.session;
    if (!session) return false;
    session.step(deadline);
    if (this.current && session.indexOf(this.current) < 0) {
      // The line was dropped or rewritten.
      this.current = null;
      this.selectFrom ??= this.store.firstNo;
    }
    if (this.selectFrom !== null) {
      let k = session.firstFrom(this.selectFrom);
      if (k < 0 && session.done) k = session.total > 0 ? 0 : -1;
      if (k >= 0) {
        this.current = session.at(k) ?? null;
        this.selectFrom = null;
        return true;
      }
    }
    return false;
  }

  /** Moves the current match by `delta` (±1), wrapping around; returns it. */
  moveMatch(delta: number): MatchPosition | null {
    const session = this.session;
    if (!session || session.total === 0) return null;
    const total = session.total;
    const k = this.currentIndex;
    const next = k < 0 ? (delta > 0 ? 0 : total - 1) : (k + delta + total) % total;
    this.current = session.at(next) ?? null;
    this.selectFrom = null;
    return this.current;
  }

  // ── rows ──

  /** The display data of one line, cached while its text, the options and the current match stay the same. */
  row(no: number, timestamps: boolean): RowData {
    const query = this.session?.query ?? null;
    const key = `${timestamps ? 1 : 0}|${query ? `${query.caseSensitive ? 1 : 0}${query.text}` : ''}`;
    if (key !== this.cacheKey) {
      this.cache.clear();
      this.cacheKey = key;
    }
    const currentOccurrence = this.current && this.current.line === no ? this.current.occurrence : -1;
    const text = this.store.text(no);
    const cached = this.cache.get(no);
    if (cached && cached.text === text && cached.currentOccurrence === currentOccurrence) return cached.row;
    const row = buildRow(this.store, no, { timestamps, find: query, currentOccurrence });
    this.cache.set(no, { row, text, currentOccurrence });
    return row;
  }

  /** Every line shown (after the filter), as plain text: what Copy puts on the clipboard. */
  visibleText(timestamps: boolean): string {
    const parts: string[] = [];
    const view = this.view;
    for (let i = 0, n = view.count; i < n; i++) {
      const no = view.lineAt(i);
      parts.push(timestamps ? `${formatTime(this.store.ts(no))} ${this.store.text(no)}` : this.store.text(no));
    }
    return parts.join('\n');
  }

  /** The names of the streams shown. */
  get shownStreams(): StreamName[] {
    return STREAM_OF.filter((_, i) => this.filter[i]);
  }
}
