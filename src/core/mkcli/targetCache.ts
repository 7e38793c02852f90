import { stat } from 'node:fs/promises';
import { createLimit } from '../util/limit';
import type { RegistryEntry } from './registry';
import { listTargets, type ListOptions, type TargetListing } from './targets';

interface Cached {
  listing: TargetListing;
  /** mtime of every file of the listing when it was made; -1 for a file that was missing. */
  stamps: Map<string, number>;
}

// Keeps each project's targets until the Makefile or a file it includes changes, so a refresh
// of a hundred projects costs a hundred stats, and runs at most `concurrency` listing processes
// at once. Only the process holds a slot: reading the makefiles, parsing make's database and
// checking the stamps happen while other projects' makes run, instead of keeping a slot idle.
export class TargetCache {
  private readonly cache = new Map<string, Cached>();
  private readonly pending = new Map<string, Promise<TargetListing>>();
  private readonly limit: ReturnType<typeof createLimit>;

  constructor(
    private readonly options: () => ListOptions,
    concurrency: number,
  ) {
    this.limit = createLimit(concurrency);
  }

  /** The targets of `entry`, from the cache while its files are unchanged. */
  get(entry: RegistryEntry): Promise<TargetListing> {
    const key = cacheKey(entry, this.options().source?.(entry) ?? 'static');
    const inFlight = this.pending.get(key);
    if (inFlight) return inFlight;
    const promise = (async () => {
      const cached = this.cache.get(key);
      if (cached && (await unchanged(cached.stamps))) return cached.listing;
      const listing = await listTargets(entry, { ...this.options(), processes: this.limit });
      // The folder's own mtime is kept too: it changes when a Makefile appears or goes.
      this.cache.set(key, { listing, stamps: await stamp([...listing.files, entry.dir]) });
      return listing;
    })().finally(() => this.pending.delete(key));
    this.pending.set(key, promise);
    return promise;
  }

  /** Forget every listing, so the next `get` asks make again. */
  clear(): void {
    this.cache.clear();
  }
}

function cacheKey(entry: RegistryEntry, source: string): string {
  return `${entry.alias}\0${entry.dir}\0${source}`;
}

async function stamp(files: readonly string[]): Promise<Map<string, number>> {
  const stamps = new Map<string, number>();
  await Promise.all(
    files.map(async (file) => {
      stamps.set(file, await mtime(file));
    }),
  );
  return stamps;
}

async function unchanged(stamps: Map<string, number>): Promise<boolean> {
  const now = await Promise.all([...stamps].map(async ([file, before]) => (await mtime(file)) === before));
  return now.every(Boolean);
}

async function mtime(file: string): Promise<number> {
  try {
    return (await stat(file)).mtimeMs;
  } catch {
    return -1;
  }
}
