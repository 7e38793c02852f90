// The newest output of a job that a console shows while it catches up with a flood
// (`console/tail`): parsed apart from the log, and cut to the rows that fit on the screen.
import type { Chunk } from '../../src/shared/jobs';
import { LineStore } from './lineStore';
import { buildRow, type RowData } from './rows';

export interface NewestRows {
  rows: RowData[];
  /** The seq of the last chunk: once the log holds it, the log itself shows this. */
  lastSeq: number;
}

export interface NewestOptions {
  /** Which streams are shown (stdout, stderr, system), as the log's filter says. */
  streams: readonly boolean[];
  timestamps: boolean;
  /** Rows that fit on the screen. */
  rows: number;
}

/** The last `rows` lines of `chunks` (not empty) that the filter shows. The first line may be cut: it is off screen in all but tiny tails. */
export function newestRows(chunks: readonly Chunk[], options: NewestOptions): NewestRows {
  const store = new LineStore({ maxLines: Number.MAX_SAFE_INTEGER });
  for (const chunk of chunks) store.append(chunk);
  const rows: RowData[] = [];
  for (let no = store.endNo - 1; no >= store.firstNo && rows.length < options.rows; no--) {
    if (options.streams[store.stream(no)]) rows.push(buildRow(store, no, { timestamps: options.timestamps, find: null, currentOccurrence: -1 }));
  }
  return { rows: rows.reverse(), lastSeq: chunks[chunks.length - 1]!.seq };
}
