import { linkSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pidAlive } from '../util/pidAlive';
import { readBoundedSync } from '../util/readBounded';

/** A held lock; release() is idempotent. */
export interface FolderLock {
  readonly file: string;
  release(): void;
}


// The pid in a lock file; undefined when it holds none or is not a small regular file (a FIFO
// there must not hang the window: it is taken for a stale lock).
function readPid(file: string): number | undefined {
  try {
    const pid = Number(readBoundedSync(file, 64).trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Creates `file` holding our pid, complete or not at all; false when it exists. */
function tryCreate(file: string): boolean {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, `${process.pid}\n`);
    linkSync(temp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    // A full disk or a folder it may not write to: said with the file, not as a bare "ENOSPC … write".
    throw new Error(`Could not create the lock file ${file}: ${(err as Error).message}`, { cause: err });
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // Never created.
    }
  }
}

// Removes a lock left by a dead process. It is renamed away first and checked to be the same file
// that was found stale: if another process replaced it meanwhile, that live lock is put back.
function removeStale(file: string, staleInode: number): void {
  const aside = `${file}.${process.pid}.stale`;
  try {
    renameSync(file, aside);
  } catch {
    return; // Someone else removed it already.
  }
  if (statSync(aside).ino !== staleInode) {
    try {
      linkSync(aside, file);
    } catch {
      // A third process holds a new lock now; it wins.
    }
  }
  unlinkSync(aside);
}

// Only one process may open a PGlite folder: a second one would corrupt it. The lock is a file
// beside the folder, `<dir>.lock`, holding the owner's pid; a lock whose process has died is
// taken over. It is released by release() and, failing that, when this process exits.
export function lockFolder(dir: string): FolderLock {
  const file = `${path.resolve(dir)}.lock`;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(file)) {
      const release = (): void => {
        process.removeListener('exit', release);
        if (readPid(file) === process.pid) unlinkSync(file);
      };
      process.on('exit', release);
      return { file, release };
    }
    let inode: number;
    try {
      inode = statSync(file).ino;
    } catch {
      continue; // Released between our attempt and now.
    }
    const holder = readPid(file);
    if (holder !== undefined && pidAlive(holder)) {
      throw new Error(`The job history folder ${dir} is in use by process ${holder} (lock file ${file}); only one process may open it at a time`);
    }
    removeStale(file, inode);
  }
  throw new Error(`Could not lock the job history folder ${dir} (lock file ${file} keeps changing)`);
}
