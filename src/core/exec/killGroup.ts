import type { ChildProcess } from 'node:child_process';

// Signals every process of the group `pgid`; a group that is already gone is not an error.
export function signalProcessGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // The group is already gone.
  }
}

// A child spawned with `detached: true` leads its own process group; signalling the negative
// pid reaches make and everything make started, which `child.kill()` would leave running.
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid !== undefined) signalProcessGroup(child.pid, signal);
}

/** SIGTERM to the group, then SIGKILL after `graceMs` if the leader has not exited. */
export function terminateGroup(child: ChildProcess, graceMs: number): void {
  signalGroup(child, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
  timer.unref();
  child.once('exit', () => {
    // Children that ignored SIGTERM may outlive the leader: finish the group off.
    signalGroup(child, 'SIGKILL');
    clearTimeout(timer);
  });
}
