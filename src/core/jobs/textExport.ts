import { stripVTControlCharacters } from 'node:util';
import type { Chunk, StreamName } from '../../shared/jobs';

/** Which of a job's output to export, as the user sees it in the console. */
export interface ExportOptions {
  streams: readonly StreamName[];
  timestamps: boolean;
}

// A job's output as plain text: colours and other escape sequences removed, a `\r` progress line
// reduced to what it finally showed, CRLF as LF, and optionally each line's time in front.
export function chunksToText(chunks: Iterable<Chunk>, options: ExportOptions): string {
  const wanted = new Set(options.streams);
  const out: string[] = [];
  let open: { stream: StreamName; ts: number; text: string } | undefined;
  const close = (): void => {
    if (!open) return;
    const shown = open.text.slice(open.text.lastIndexOf('\r') + 1);
    out.push(options.timestamps ? `${new Date(open.ts).toISOString()} ${shown}` : shown);
    open = undefined;
  };
  for (const chunk of chunks) {
    if (!wanted.has(chunk.stream)) continue;
    const parts = stripVTControlCharacters(chunk.text).replace(/\r+\n/g, '\n').split('\n');
    parts.forEach((part, i) => {
      if (open && open.stream !== chunk.stream) close();
      open ??= { stream: chunk.stream, ts: chunk.ts, text: '' };
      open.text += part;
      if (i < parts.length - 1) close();
    });
    if (open?.text === '') open = undefined;
  }
  close();
  return out.length > 0 ? out.join('\n') + '\n' : '';
}
