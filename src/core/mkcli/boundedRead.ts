import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** Makefiles larger than this are refused rather than read. */
export const MAX_MAKEFILE_BYTES = 4 * 1024 * 1024;

export type BoundedText = { text: string } | { error: string; missing?: true };

// Reads a regular file of at most `maxBytes` as UTF-8. Opened non-blocking so that a FIFO
// cannot stall the reader, then checked with fstat on the open descriptor, so a device, a
// folder or a file swapped in after a check is never read. A local stand-in for the shared
// bounded reader of src/core/util; same contract.
export function readBoundedTextSync(file: string, maxBytes = MAX_MAKEFILE_BYTES): BoundedText {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { error: 'does not exist', missing: true };
    return { error: `cannot be opened (${code ?? (error as Error).message})` };
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) return { error: 'is not a regular file' };
    if (info.size > maxBytes) return { error: `is larger than ${maxBytes} bytes` };
    const buffer = Buffer.alloc(info.size);
    let read = 0;
    while (read < info.size) {
      const n = readSync(fd, buffer, read, info.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return { text: buffer.subarray(0, read).toString('utf8') };
  } catch (error) {
    return { error: `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
  } finally {
    closeSync(fd);
  }
}
