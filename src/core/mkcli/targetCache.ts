import { stat } from 'node:fs/promises';
import path from 'node:path';
import { LatestRead } from '../util/latestRead';
import { createLimit } from '../util/limit';
import type { RegistryEntry } from './registry';
import { listTargets, MAKEFILE_NAMES, type ListOptions, type TargetListing } from './targets';

interface Cached {
  listing: TargetListing;
  /** mtime of every file of the listing when it was made; -1 for a file that was missing. */
  stamps: Map<string, number>;
}

// Keeps each project's targets until the Makefile or a file it includes changes, so a refresh
// of a hundred projects costs a hundred stats, and runs at most `concurrency` listing processes
// at once. Only the process holds a slot: reading the makefiles, parsing make's database and
// checking the stamps happen while other projects' makes run, instead of keeping a slot idle.
// A change during a slow listing (a make that takes seconds, a makefile on a slow mount) starts
// a fresh listing whose result everyone waiting gets (LatestRead); the old one is never kept.
export class TargetCache {
  private readonly cache = new Map<string, Cached>();
  /** The listings in flight, by key: kept while reading, so the next `get` after checks the files again. */
  private readonly reading = new Map<string, LatestRead<TargetListing>>();
  /** Bumped by each change of a project (by key) and by `clear`: a listing that began before is not kept. */
  private readonly changes = new Map<string, number>();
  private clears = 0;
  /** Aborts the listing in flight, by key: a superseded one stops its make and its reading at once. */
  private readonly aborts = new Map<string, AbortController>();
  private readonly limit: ReturnType<typeof createLimit>;

  constructor(
    private readonly options: () => ListOptions,
    concurrency: number,
  ) {
    this.limit = createLimit(concurrency);
  }

  /** The targets of `entry`, from the cache while its files are unchanged. */
  get(entry: RegistryEntry): Promise<TargetListing> {
    const key = this.key(entry);
    let latest = this.reading.get(key);
    if (!latest) {
      const read = new LatestRead(() => this.read(entry, key));
      const done = (): void => {
        if (this.reading.get(key) === read) this.reading.delete(key);
      };
      // Settles with the newest listing, however often it was superseded.
      read.get().then(done, done);
      this.reading.set(key, read);
      latest = read;
    }
    return latest.get();
  }

  /** The files of `entry` changed: a listing of it in flight is superseded by a fresh one. */
  changed(entry: RegistryEntry): void {
    const key = this.key(entry);
    this.changes.set(key, (this.changes.get(key) ?? 0) + 1);
    this.aborts.get(key)?.abort();
    this.reading.get(key)?.invalidate();
  }

  /** Forget every listing, so the next `get` asks make again; listings in flight are superseded. */
  clear(): void {
    this.clears++;
    this.cache.clear();
    for (const abort of this.aborts.values()) abort.abort();
    for (const read of this.reading.values()) read.invalidate();
  }

  private generation(key: string): string {
    return `${this.clears}/${this.changes.get(key) ?? 0}`;
  }

  private key(entry: RegistryEntry): string {
    return cacheKey(entry, this.options().source?.(entry) ?? 'static');
  }

  private async read(entry: RegistryEntry, key: string): Promise<TargetListing> {
    const abort = new AbortController();
    this.aborts.set(key, abort);
    try {
      return await this.list(entry, key, abort.signal);
    } finally {
      if (this.aborts.get(key) === abort) this.aborts.delete(key);
    }
  }

  private async list(entry: RegistryEntry, key: string, aborted: AbortSignal): Promise<TargetListing> {
    const generation = this.generation(key);
    const cached = this.cache.get(key);
    if (cached && (await unchanged(cached.stamps))) return cached.listing;
    // Stamped before reading: a file that changes while it is read is read again next time. The
    // folder's own mtime is kept too (it changes when a Makefile appears or goes), and so is each
    // name make looks for: a GNUmakefile created beside a Makefile takes its place.
    const before = await stamp([entry.dir, ...MAKEFILE_NAMES.map((name) => path.join(entry.dir, name)), ...(cached?.listing.files ?? [])]);
    const options = this.options();
    const signal = options.signal ? AbortSignal.any([options.signal, aborted]) : aborted;
    const listing = await listTargets(entry, { ...options, processes: this.limit, signal });
    const after = await stamp(listing.files.filter((file) => !before.has(file)));
    // Not kept when a change came meanwhile: it may have been read before, or stopped by it.
    if (generation === this.generation(key) && !signal.aborted) this.cache.set(key, { listing, stamps: new Map([...after, ...before]) });
    return listing;
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
