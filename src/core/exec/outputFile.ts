import { randomUUID } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// A program's stdout as an unlinked temporary file. make line-buffers its stdout: through a pipe,
// each line of its database is a write that wakes this process and a read here (18,000 for one
// real makefile's database). Into a file the writes are cheap, and the output is read once, when
// the program has ended. Nothing is left on disk: the name is removed as soon as it is opened.
export class OutputFile {
  private constructor(readonly fd: number) {}

  /** A new empty file, or undefined when the temporary folder cannot take one. */
  static open(): OutputFile | undefined {
    const file = path.join(os.tmpdir(), `vmo-output-${randomUUID()}`);
    let fd: number | undefined;
    try {
      fd = openSync(file, 'wx+', 0o600);
      unlinkSync(file);
      return new OutputFile(fd);
    } catch {
      if (fd !== undefined) closeSync(fd);
      return undefined;
    }
  }

  /** What was written, up to `maxBytes`, and whether there was more; closes the file. */
  read(maxBytes: number): { bytes: Buffer; truncated: boolean } {
    try {
      const size = fstatSync(this.fd).size;
      const bytes = Buffer.allocUnsafe(Math.min(size, maxBytes));
      let read = 0;
      while (read < bytes.length) {
        const n = readSync(this.fd, bytes, read, bytes.length - read, read);
        if (n === 0) break;
        read += n;
      }
      return { bytes: bytes.subarray(0, read), truncated: size > maxBytes };
    } finally {
      this.close();
    }
  }

  close(): void {
    closeSync(this.fd);
  }
}
