// The job model shared by the runner, the store, the hub and every webview.

/**
 * `queued`: waiting for its VM (see vmOrchestrator.run.perVmConcurrency); it runs, then ends in a final status.
 * `skipped`: a step of a sequence after the one that failed or was canceled; it never ran.
 */
export type JobStatus = 'queued' | 'running' | 'success' | 'failed' | 'canceled' | 'interrupted' | 'skipped';

/** How a job can end. */
export type FinalStatus = Exclude<JobStatus, 'queued' | 'running'>;

/** Whether a job has not ended yet: it runs, or waits to. */
export function isActive(status: JobStatus): status is 'queued' | 'running' {
  return status === 'queued' || status === 'running';
}

/**
 * What started the job. `environment`: a target run on every VM of an environment, the parent of
 * one job per VM; `sequence`: targets run one after the other, the parent of one job per step.
 */
export type JobKind = 'target' | 'terminal' | 'ssh-logs' | 'remote-command' | 'environment' | 'sequence';

/** A job's or result's error and warning counts, both or neither (those of a job whose output was not scanned are unknown). */
export function problemCounts(o: { errors?: number; warnings?: number }): { errors?: number; warnings?: number } {
  return o.errors !== undefined && o.warnings !== undefined ? { errors: o.errors, warnings: o.warnings } : {};
}

// The type "terminal" is what a user who filters by it means: every job that ran in a terminal. The
// extension runs a target in one as kind `target`, mode `terminal`; kind `terminal` is one the
// hub's protocol lets other reporters send. The store's query says the same in SQL (listQuery.ts).
/** Whether a filter on `kind` lists `job`. */
export function isOfKind(job: { kind: JobKind; mode: JobMode }, kind: JobKind): boolean {
  return job.kind === kind || (kind === 'terminal' && job.mode === 'terminal');
}

/** Whether a job of this kind is a group: it runs no program, its children are the jobs. */
export function isGroup(kind: JobKind): boolean {
  return kind === 'environment' || kind === 'sequence';
}

/** The order of a group's children: as they started, then by VM (an environment's start at once). */
export function childOrder(a: Pick<JobInfo, 'startedAt' | 'vm'>, b: Pick<JobInfo, 'startedAt' | 'vm'>): number {
  return a.startedAt - b.startedAt || (a.vm ?? '').localeCompare(b.vm ?? '');
}

/** Where its output is shown: a console webview, or a native terminal. */
export type JobMode = 'console' | 'terminal';

/** Which stream a chunk came from; `system` lines are written by VM Orchestrator itself. */
export type StreamName = 'stdout' | 'stderr' | 'system';

export interface JobInfo {
  /** A UUID. */
  id: string;
  kind: JobKind;
  mode: JobMode;
  /** Short title for tabs and lists, e.g. `web build`. */
  title: string;
  /** The program and its arguments exactly as spawned. */
  argv: string[];
  cwd?: string;
  alias?: string;
  target?: string;
  /** The extra arguments the user gave; for a job on a VM, the command run there. */
  args?: string[];
  /** For jobs on a VM, and targets run for one: `<environment>/<vm>`. */
  vm?: string;
  /** The job this one is part of (an environment run's, for each of its VMs; a sequence's, for each step). */
  parentId?: string;
  /** The machine that runs it. */
  hostname: string;
  /** Epoch milliseconds. */
  startedAt: number;
  status: JobStatus;
  finishedAt?: number;
  exitCode?: number | null;
  signal?: string | null;
  durationMs?: number;
  /** Errors and warnings found in its output, once it ended (targets and commands on VMs). */
  errors?: number;
  warnings?: number;
}

/** A piece of output cut on a line boundary (the last chunk of a job may end without one). */
export interface Chunk {
  /** 0, 1, 2 … per job, without gaps: the key for ordering and for idempotent storage. */
  seq: number;
  /** Epoch milliseconds when the first byte of the chunk arrived. */
  ts: number;
  stream: StreamName;
  text: string;
}

/** Characters (UTF-16 units, as credit counts them) of the chunks' text. */
export function textChars(chunks: readonly Chunk[]): number {
  return chunks.reduce((n, c) => n + c.text.length, 0);
}

/** How a job ended: errors are data, a non-zero exit is not thrown. */
export interface JobResult {
  status: FinalStatus;
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  finishedAt: number;
  /** Errors and warnings found in its output (targets and commands on VMs). */
  errors?: number;
  warnings?: number;
}

/** A history query; every filter is optional and they combine with AND. */
export interface JobQuery {
  status?: JobStatus | JobStatus[];
  kind?: JobKind;
  alias?: string;
  /** `<environment>/<vm>`. */
  vm?: string;
  /** Case-insensitive substring of the command. */
  text?: string;
  /** Started at or after, epoch ms. */
  from?: number;
  /** Started before, epoch ms. */
  to?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
  /** Jobs per page, 1–500; default 50. */
  limit?: number;
}
