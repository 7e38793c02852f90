import { readFileSync } from 'node:fs';
import { procPids } from './procPids';

// Every process of a job carries `VMO_JOB_ID=<tag>` in its environment, set by the runner and
// inherited by whatever it starts. The process tree loses a daemon once it is reparented to init
// (`setsid cmd &`, a double fork, `nohup … &` whose parent exited); the environment keeps it
// findable, so cancel also stops every process whose /proc/<pid>/environ holds the exact entry.
// A process that clears or rewrites its environment before exec (`env -i`, `sudo`) escapes,
// and where there is no /proc (macOS) only the process tree and group are stopped.

/** The environment variable that marks a job's processes. */
export const JOB_TAG_VARIABLE = 'VMO_JOB_ID';

/** Throws unless `tag` is a word that needs no quoting anywhere: letters, digits, `-`, `_`, `.` (a UUID). */
export function assertJobTag(tag: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(tag)) throw new Error(`Expected a job tag of letters, digits, "-", "_" and ".", got ${JSON.stringify(tag)}`);
}

/** Whether the environment of `pid` holds `VMO_JOB_ID=<tag>`, as one whole entry. */
export function hasJobTag(pid: number, tag: string): boolean {
  let environ: string;
  try {
    environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return false; // Gone, or not ours to read.
  }
  return `\0${environ}\0`.includes(`\0${JOB_TAG_VARIABLE}=${tag}\0`);
}

// The live processes tagged `tag`, our own process left out; undefined where there is no /proc.
// Only environments we may read are seen: those of our own user (all of them for root). A zombie's
// environment reads empty, so the dead are not listed.
export function processesTagged(tag: string): number[] | undefined {
  return procPids()?.filter((pid) => pid !== process.pid && hasJobTag(pid, tag));
}
