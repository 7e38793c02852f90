// What one rendered row shows: the line's text cut into segments where its style, a link or a
// find match starts or ends. Built for visible rows only, from the stored text and style runs.
import type { LinkTarget } from '../../src/shared/protocol';
import { matchRanges, type FindQuery } from './find';
import type { LineStore, LineStyle } from './lineStore';
import { findLinks, type LinkRange } from './links';
import type { StyleCss, StyleTable } from './styles';

/** Longer lines are cut for display (Copy, Save and Find still see all of them). */
export const MAX_RENDERED_CHARS = 10_000;

export const MatchKind = { none: 0, match: 1, current: 2 } as const;

export interface Segment {
  text: string;
  css: StyleCss;
  link: LinkTarget | null;
  match: number;
}

export interface RowData {
  /** The line number: the key of the row. */
  no: number;
  stream: number;
  /** `HH:MM:SS.mmm`, or '' when timestamps are off. */
  time: string;
  segments: Segment[];
  /** Characters not shown because the line is longer than MAX_RENDERED_CHARS. */
  hidden: number;
  /** The full text the row was built from (to tell whether a cached row is still right). */
  text: string;
}

export interface RowOptions {
  timestamps: boolean;
  find: FindQuery | null;
  /** The occurrence in this line that is the current match, or -1. */
  currentOccurrence: number;
}

export function buildRow(store: LineStore, no: number, options: RowOptions): RowData {
  const text = store.text(no);
  const shown = text.length > MAX_RENDERED_CHARS ? text.slice(0, MAX_RENDERED_CHARS) : text;
  const matches = options.find ? matchRanges(shown, options.find) : [];
  return {
    no,
    stream: store.stream(no),
    time: options.timestamps ? formatTime(store.ts(no)) : '',
    segments: buildSegments(shown, store.style(no), store.styles, findLinks(shown), matches, options.currentOccurrence),
    hidden: text.length - shown.length,
    text,
  };
}

/**
 * Cuts `text` at every boundary of a style run, a link and a match. OSC 8 hyperlinks come from
 * the style; a detected link inside one is ignored.
 */
export function buildSegments(
  text: string,
  style: LineStyle,
  styles: StyleTable,
  links: LinkRange[],
  matches: number[],
  currentOccurrence: number,
): Segment[] {
  const length = text.length;
  if (length === 0) return [];
  const runs = typeof style === 'number' ? [0, style] : style;
  if (runs.length === 2 && links.length === 0 && matches.length === 0) {
    return [{ text, css: styles.css(runs[1]!), link: osc8(styles, runs[1]!), match: MatchKind.none }];
  }
  const cuts: number[] = [0, length];
  for (let i = 2; i < runs.length; i += 2) cuts.push(runs[i]!);
  for (const l of links) cuts.push(l.start, l.end);
  for (const m of matches) cuts.push(m);
  const sorted = Array.from(new Set(cuts.filter((c) => c >= 0 && c <= length))).sort((a, b) => a - b);

  const out: Segment[] = [];
  let r = 0;
  let l = 0;
  let m = 0;
  for (let i = 0; i + 1 < sorted.length; i++) {
    const start = sorted[i]!;
    const end = sorted[i + 1]!;
    while (r + 2 < runs.length && runs[r + 2]! <= start) r += 2;
    while (l < links.length && links[l]!.end <= start) l++;
    while (m < matches.length && matches[m + 1]! <= start) m += 2;
    const id = runs[r + 1]!;
    const link = osc8(styles, id) ?? (l < links.length && links[l]!.start <= start ? links[l]!.target : null);
    const inMatch = m < matches.length && matches[m]! <= start;
    const match = inMatch ? (m / 2 === currentOccurrence ? MatchKind.current : MatchKind.match) : MatchKind.none;
    out.push({ text: text.slice(start, end), css: styles.css(id), link, match });
  }
  return out;
}

function osc8(styles: StyleTable, id: number): LinkTarget | null {
  const url = styles.get(id).link;
  return url === null ? null : { url };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Local wall-clock time with milliseconds, as the timestamp column shows it. */
export function formatTime(ts: number): string {
  const d = new Date(ts);
  return `${pad(d.getHours(), 2)}:${pad(d.getMinutes(), 2)}:${pad(d.getSeconds(), 2)}.${pad(d.getMilliseconds(), 3)}`;
}

/** Characters the timestamp column takes, with its gap. */
export const TIME_COLUMN_CHARS = 13;
