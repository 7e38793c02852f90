import type { ReportChunkBytes } from '../../shared/hubProtocol';
import type { Chunk } from '../../shared/jobs';

// A hub of version 4 takes a report's text as UTF-8 bytes in one attachment. One buffer for the
// whole report, rather than one per chunk: each byte array is an attachment of its own, a
// WebSocket message apart, and socket.io's parser refuses a packet of more than ten.

/** A report of chunks with their text as UTF-8 in one buffer, each chunk with its share of it. */
export function reportAsBytes(jobId: string, chunks: readonly Chunk[]): ReportChunkBytes {
  const sizes = chunks.map((chunk) => Buffer.byteLength(chunk.text));
  const bytes = Buffer.allocUnsafe(sizes.reduce((sum, size) => sum + size, 0));
  let at = 0;
  for (const chunk of chunks) at += bytes.write(chunk.text, at);
  return { jobId, chunks: chunks.map(({ text: _text, ...chunk }, i) => ({ ...chunk, bytes: sizes[i] })), bytes };
}
