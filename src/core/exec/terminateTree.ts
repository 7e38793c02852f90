import { setTimeout as sleep } from 'node:timers/promises';
import { hasJobTag, processesTagged } from './jobTag';
import { signalProcessGroup } from './killGroup';
import { ProcessTree } from './processTree';

const POLL_MS = 50;
/** How long to wait for SIGKILL to take effect before giving up. */
const KILL_WAIT_MS = 2000;

/** How a termination went: `escalated` when something outlived SIGTERM and got SIGKILL. */
export interface TerminateOutcome {
  escalated: boolean;
  /** Pids still alive after SIGKILL and the wait (normally none). */
  survivors: number[];
}

// Stops a job: SIGTERM to its process group, to every process it started (see ProcessTree,
// which also finds children that left the group with setsid) and to every process tagged with
// the job's `tag` (see jobTag.ts: daemons that init adopted before the cancel), SIGKILL to
// whatever still runs after `graceMs`. Resolves once nothing of the job is left, so a caller may
// then report it ended.
export async function terminateTree(leader: number, graceMs: number, tag?: string): Promise<TerminateOutcome> {
  const tree = new ProcessTree(leader);
  const signaled = new Set<number>();
  /** Pids found only by their tag, checked again right before each signal: the pid may have been reused. */
  let taggedOnly = new Set<number>();
  const signalAll = (signal: NodeJS.Signals, pids: number[]): void => {
    for (const group of tree.knownGroups) signalProcessGroup(group, signal);
    for (const pid of pids) if (!taggedOnly.has(pid) || hasJobTag(pid, tag!)) signalPid(pid, signal);
  };
  // Without /proc only the group can be seen: it is gone once signal 0 finds no member.
  const alive = (): number[] => {
    const inTree = tree.scan();
    if (!inTree) return groupExists(leader) ? [leader] : [];
    const tagged = tag === undefined ? [] : (processesTagged(tag) ?? []);
    const known = new Set(inTree);
    taggedOnly = new Set(tagged.filter((pid) => !known.has(pid)));
    return [...inTree, ...taggedOnly];
  };

  let live = alive();
  signalAll('SIGTERM', live);
  live.forEach((pid) => signaled.add(pid));
  const termDeadline = performance.now() + graceMs;
  while (live.length > 0 && performance.now() < termDeadline) {
    await sleep(Math.min(POLL_MS, Math.max(0, termDeadline - performance.now())));
    live = alive();
    // Processes started while the others were shutting down get their SIGTERM too.
    const fresh = live.filter((pid) => !signaled.has(pid));
    if (fresh.length > 0) signalAll('SIGTERM', fresh);
    fresh.forEach((pid) => signaled.add(pid));
  }
  if (live.length === 0) return { escalated: false, survivors: [] };

  const killDeadline = performance.now() + KILL_WAIT_MS;
  while (live.length > 0 && performance.now() < killDeadline) {
    signalAll('SIGKILL', live);
    await sleep(POLL_MS);
    live = alive();
  }
  return { escalated: true, survivors: live };
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
