// Spools of windows that are gone. Every window spools into a folder of its own, `<root>/<id>`,
// and holds `<root>/<id>.lock` (its pid) while it lives, because a reporter owns every spool of
// its folder. A window that died — closed while the hub was away, reloaded, crashed — leaves its
// folder behind; the next window takes over each folder whose lock is free, sends what it holds
// to the hub (a job without an end ends `interrupted`), and removes it once the hub stored it.
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { lockFolder, type FolderLock } from '../store/folderLock';
import { HubReporter, type HubReporterOptions } from './hubReporter';

/** A window's own spool folder, locked for its lifetime. */
export interface SpoolFolder {
  dir: string;
  lock: FolderLock;
}

/** Creates and locks `<root>/<windowId>`. */
export function claimSpoolFolder(root: string, windowId: string): SpoolFolder {
  const dir = path.join(root, windowId);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return { dir, lock: lockFolder(dir) };
}

/** What a replay of orphaned spools did: job ids sent, and folders left because the hub did not store them in time. */
export interface OrphanReplay {
  jobs: string[];
  leftOver: string[];
}

/** Sends the spools of every dead window under `root` to the hub; waits at most `timeoutMs` per folder. */
export async function replayOrphanSpools(root: string, reporter: Omit<HubReporterOptions, 'spoolDir' | 'reporterId'>, timeoutMs = 30_000): Promise<OrphanReplay> {
  const replay: OrphanReplay = { jobs: [], leftOver: [] };
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return replay;
  }
  for (const name of names) {
    const dir = path.join(root, name);
    if (!isDirectory(dir)) continue;
    let lock: FolderLock;
    try {
      lock = lockFolder(dir);
    } catch {
      continue; // A live window's.
    }
    try {
      // The dead window's id, so that the hub sees the same reporter it knew (if it still does).
      const orphan = new HubReporter({ ...reporter, reporterId: name, spoolDir: dir });
      replay.jobs.push(...orphan.replaySpools());
      const stored = await orphan.idle(timeoutMs);
      await orphan.close(0);
      if (stored) rmSync(dir, { recursive: true, force: true });
      else replay.leftOver.push(dir);
    } finally {
      lock.release();
    }
  }
  return replay;
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}
