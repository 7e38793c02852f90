import type { JobStore, StoredJob } from '../core/store/jobStore';
import { messageOf } from '../shared/errors';
import type { LiveJobs } from './liveJobs';
import type { Peers } from './peers';

/** What the sweep works with. */
export interface SweepOptions {
  store: JobStore;
  liveJobs: LiveJobs;
  peers: Peers;
  graceMs: number;
  log: (message: string) => void;
}

/** A hub hears from every other at least this often (the adapter's heartbeat is 5 s, its timeout 10 s). */
const PEERS_HEARD_MS = 10_000;

async function runningJobs(store: JobStore): Promise<StoredJob[]> {
  const jobs: StoredJob[] = [];
  for (let page = await store.listJobs({ status: ['queued', 'running'], limit: 500 }); ; ) {
    jobs.push(...page.jobs);
    if (!page.nextCursor) return jobs;
    page = await store.listJobs({ status: ['queued', 'running'], limit: 500, cursor: page.nextCursor });
  }
}

// Ends as interrupted the jobs left `running` (or `queued`) by a hub that is gone, one grace period after start
// (a window that was reporting them reconnects within it, and they are claimed again).
// With other hubs on the database (peers enabled) a running job may be theirs: each is asked, and a
// job is ended only when no live hub claims it, and none answered wrongly by silence; and since a
// hub can miss another's heartbeat, only a job unclaimed and without new output over two sweeps a
// grace period apart (at least 10 s: a hub that just started may not know all the others before).
// The sweep then goes on every such period, for the jobs of hubs that stop later.
export function startSweep(options: SweepOptions): { stop(): void } {
  const { store, liveJobs, peers, log } = options;
  const periodMs = peers.enabled ? Math.max(options.graceMs, PEERS_HEARD_MS) : options.graceMs;
  let suspects = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const round = async (): Promise<void> => {
    const left = (await runningJobs(store)).filter((j) => !liveJobs.isClaimed(j.id));
    const claimed = await peers.claims(left.map((j) => j.id));
    if (!claimed) {
      log('Not every hub said which jobs it runs; jobs left running are kept for now');
      return;
    }
    const unclaimed = left.filter((j) => !claimed.has(j.id));
    const seen = suspects;
    suspects = new Map(unclaimed.map((j) => [j.id, j.lastSeq ?? -1]));
    for (const job of unclaimed) {
      if (stopped || liveJobs.isClaimed(job.id)) continue;
      if (peers.enabled && seen.get(job.id) !== (job.lastSeq ?? -1)) continue;
      liveJobs.interruptLeft(job);
    }
  };

  const schedule = (): void => {
    timer = setTimeout(() => {
      void round()
        .catch((err: unknown) => log(`Sweeping jobs left running failed: ${messageOf(err)}`))
        .finally(() => {
          if (!stopped && peers.enabled) schedule();
        });
    }, periodMs);
  };
  schedule();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
