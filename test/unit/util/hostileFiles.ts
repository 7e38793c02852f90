// Files that a reader must refuse without hanging or filling memory: a FIFO with no writer, a
// character device, a folder, a sparse 100 MB file and a symlink loop, made in a folder of their own.
import { execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, openSync, symlinkSync } from 'node:fs';
import path from 'node:path';

export interface HostileFile {
  name: string;
  /** Makes the file at `file` (a character device is linked, not made). */
  make(file: string): void;
  /** What the refusal says after the file name. */
  detail: RegExp;
}

export const HOSTILE_FILES: readonly HostileFile[] = [
  { name: 'a FIFO with no writer', make: (file) => execFileSync('mkfifo', [file]), detail: /^is a FIFO, not a regular file$/ },
  { name: '/dev/zero', make: (file) => symlinkSync('/dev/zero', file), detail: /^is a character device, not a regular file$/ },
  { name: 'a folder', make: (file) => mkdirSync(file), detail: /^is a folder, not a regular file$/ },
  {
    name: 'a sparse 100 MB file',
    make: (file) => {
      const fd = openSync(file, 'w');
      ftruncateSync(fd, 100 * 1024 * 1024);
      closeSync(fd);
    },
    detail: /^is 100 MiB, over the \d+ (KiB|MiB) limit$/,
  },
  { name: 'a symlink loop', make: (file) => symlinkSync(path.basename(file), file), detail: /^cannot be read: too many levels of symbolic links$/ },
];

/** Fails when `promise` takes longer than `ms`: a reader that blocks on a FIFO would. */
export async function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not return within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
