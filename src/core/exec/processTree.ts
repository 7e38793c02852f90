import { readFileSync } from 'node:fs';
import { procPids } from './procPids';

interface ProcessEntry {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
}

/** Live processes read from /proc (zombies count as gone); undefined where there is no /proc. */
function readProcessTable(): ProcessEntry[] | undefined {
  const pids = procPids();
  if (!pids) return undefined;
  const entries: ProcessEntry[] = [];
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    } catch {
      continue; // It ended while we read.
    }
    // The command name (field 2) may hold spaces and parentheses: fields resume after the last ')'.
    const [state, ppid, pgid, sid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state === 'Z' || state === 'X') continue;
    entries.push({ pid, ppid: Number(ppid), pgid: Number(pgid), sid: Number(sid) });
  }
  return entries;
}

// The processes a job started, followed across `setsid`: everything in the job's session or
// group, every descendant of a process already seen (while its parent lives), and everything in
// a session or group such a descendant created. A double-forked daemon whose parent had already
// exited before the first scan has no link left to the job and is not found. Linux only: where
// /proc is missing, `scan()` returns undefined and callers fall back to the process group.
export class ProcessTree {
  private pids = new Set<number>();
  private readonly sessions = new Set<number>();
  private readonly groups = new Set<number>();

  /** `leader` leads its own session and group, as `detached: true` and node-pty both make it. */
  constructor(readonly leader: number) {
    this.pids.add(leader);
    this.sessions.add(leader);
    this.groups.add(leader);
  }

  /** The process groups seen so far, to signal as a whole. */
  get knownGroups(): number[] {
    return [...this.groups];
  }

  /** Reads /proc again and returns the pids of the job's live processes. */
  scan(): number[] | undefined {
    const table = readProcessTable();
    if (!table) return undefined;
    const childrenOf = new Map<number, ProcessEntry[]>();
    for (const entry of table) {
      const siblings = childrenOf.get(entry.ppid);
      if (siblings) siblings.push(entry);
      else childrenOf.set(entry.ppid, [entry]);
    }
    // A safety net against a reused pid: nothing in our own session or group is ever the job's.
    const self = table.find((e) => e.pid === process.pid);
    const isOurs = (e: ProcessEntry): boolean => e.pid === process.pid || e.sid === self?.sid || e.pgid === self?.pgid;
    const found = new Map<number, ProcessEntry>();
    const queue = table.filter((e) => this.pids.has(e.pid) || this.sessions.has(e.sid) || this.groups.has(e.pgid));
    while (queue.length > 0) {
      const entry = queue.pop()!;
      if (found.has(entry.pid) || isOurs(entry)) continue;
      found.set(entry.pid, entry);
      queue.push(...(childrenOf.get(entry.pid) ?? []));
    }
    for (const entry of found.values()) {
      this.sessions.add(entry.sid);
      this.groups.add(entry.pgid);
    }
    // Dead pids are forgotten so that a reused pid is not mistaken for one of ours.
    this.pids = new Set(found.keys());
    return [...this.pids];
  }
}
