import type { JobStore, PruneOptions } from '../core/store/jobStore';
import { messageOf } from '../shared/errors';

/** How often retention is applied after the first time, at start. */
export const RETENTION_EVERY_MS = 60 * 60_000;

/** A running retention schedule. */
export interface Retention {
  /** Stops the schedule and waits for a prune under way, so that the store can be closed after it. */
  stop(): Promise<void>;
}

const describe = (options: PruneOptions): string =>
  [options.maxAgeDays === undefined ? '' : `older than ${options.maxAgeDays} days`, options.maxJobs === undefined ? '' : `beyond the newest ${options.maxJobs}`]
    .filter(Boolean)
    .join(' or ');

// Applies the retention settings with the store's prune(): once at start, then every `everyMs`.
// A prune still going when the next one is due is not joined by a second (the first prune of a
// large history can outlast the interval). With no limit set nothing is scheduled.
export function startRetention(store: Pick<JobStore, 'prune'>, options: PruneOptions, log: (message: string) => void, everyMs = RETENTION_EVERY_MS): Retention {
  if (options.maxAgeDays === undefined && options.maxJobs === undefined) return { stop: async () => undefined };
  let running: Promise<void> | undefined;
  const run = (): void => {
    running ??= store
      .prune(options)
      .then(
        (deleted) => log(`Retention: deleted ${deleted} finished job(s) ${describe(options)}`),
        (err: unknown) => log(`Retention failed; the next run tries again: ${messageOf(err)}`),
      )
      .finally(() => {
        running = undefined;
      });
  };
  run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
