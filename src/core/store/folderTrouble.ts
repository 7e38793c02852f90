import { accessSync, constants, statfsSync } from 'node:fs';
import path from 'node:path';

/** Below this much free space PostgreSQL may not get its next WAL segment (16 MiB, created whole). */
const LOW_DISK_BYTES = 64 * 1024 * 1024;

// What is wrong with an embedded database's folder, where it shows from outside: a folder of it
// this process may not write to, or a disk nearly full. PGlite's own errors say less: after a
// PANIC it may report another one ("XLogBeginInsert was already called"), and a start that fails
// says only "PGlite failed to initialize properly". Undefined when neither shows.
export function folderTrouble(dir: string): string | undefined {
  for (const folder of [dir, path.join(dir, 'pg_wal'), path.join(dir, 'base')]) {
    try {
      accessSync(folder, constants.W_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') return `${folder} cannot be written to (${code})`;
    }
  }
  try {
    const disk = statfsSync(dir);
    const free = disk.bavail * disk.bsize;
    if (free < LOW_DISK_BYTES) return `the disk that holds ${dir} has ${(free / (1024 * 1024)).toFixed(1)} MiB free`;
  } catch {
    // Gone, or memory://: nothing to tell.
  }
  return undefined;
}
