import { deflateRawSync, inflateRawSync } from 'node:zlib';

// Large chunks of output are stored deflated (raw DEFLATE, level 1) in job_events.packed instead of
// as text in job_events.chunk. The database then takes a tenth of the bytes: it neither checks the
// text's UTF-8, nor compresses it itself (PGlite's pglz is slow, and runs in WebAssembly), nor
// writes it to its WAL whole. Measured on a 2-core machine, 100 MB of a file listing in 32 KB
// chunks into PGlite took 3.4–3.5 s of CPU as text and 1.7–2.0 s deflated, deflating included
// (0.37–0.53 s); the table took 11.1 MB against 13.6. Reading inflates ~1 GB/s.

/** Below this many UTF-8 bytes a chunk stays text: deflating costs ~20 µs a call whatever the size. */
const PACK_MIN_BYTES = 4096;

/** A chunk's text as stored: deflated with its UTF-8 size, or as it is when small. */
export type Stored = { packed: Buffer; size: number } | { text: string };

/** A chunk's text as the store keeps it: deflated from PACK_MIN_BYTES of UTF-8 on, else as it is. `utf8`: its UTF-8, where known. */
export function pack(text: string, utf8?: Uint8Array): Stored {
  if (text.length < PACK_MIN_BYTES / 3) return { text };
  const bytes = utf8 ?? Buffer.from(text, 'utf8');
  if (bytes.length < PACK_MIN_BYTES) return { text };
  // Text that hardly compresses still loses nothing: DEFLATE adds 5 bytes per 64 KiB at worst.
  return { packed: owned(deflateRawSync(bytes, { level: 1 })), size: bytes.length };
}

// zlib hands back a view of its 16 KiB output buffer (or, under 4 KiB, of Buffer's shared pool),
// and a view crosses threads (the hub's PGlite thread) with its whole buffer: 32 KB of output
// deflates to ~1 KB, so 16 times the bytes were copied, and held until stored. A copy that owns
// exactly its bytes costs ~1 µs.
function owned(view: Buffer): Buffer {
  if (view.byteOffset === 0 && view.byteLength === view.buffer.byteLength) return view;
  const copy = new Uint8Array(view);
  return Buffer.from(copy.buffer, 0, copy.byteLength);
}

/** A stored chunk's text: `chunk` when it was stored as text, else `packed` inflated. */
export function unpack(chunk: string | null, packed: Uint8Array | null): string {
  if (chunk !== null) return chunk;
  if (packed === null) throw new Error('A stored chunk has neither text nor packed output');
  return inflateRawSync(packed).toString('utf8');
}
