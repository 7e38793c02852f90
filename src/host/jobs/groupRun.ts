import type * as vscode from 'vscode';
import { formatDuration } from '../../shared/format';
import type { Chunk, FinalStatus, JobInfo, JobResult } from '../../shared/jobs';
import type { ConsoleCallbacks, ConsoleProcess, JobService, TargetRequest } from './jobService';

/** A child job of a group, planned before the group starts so that starting it never waits. */
export interface Child {
  /** What the parent's log calls it: the VM, or the step. */
  name: string;
  request: TargetRequest;
  planned: JobInfo;
}

/** Plans the child job of each request, all before any runs (a bad one stops the group before it starts). */
export function planChildren(jobs: JobService, children: readonly { name: string; request: TargetRequest }[]): Promise<Child[]> {
  return Promise.all(children.map(async (c) => ({ ...c, planned: await jobs.plan(c.request) })));
}

/** How a group ended: its status, exit code and the last line of its log. */
export interface GroupOutcome {
  status: FinalStatus;
  exitCode: number | null;
  summary: string;
}

// The process of a group job (an environment run, a sequence): it runs no program of its own but
// starts child jobs, writes when each starts and how it ended to its log, and ends once no child
// runs and none is left to start. Cancel cancels the running children and starts no more.
export abstract class GroupRun implements ConsoleProcess {
  private seq = 0;
  private done = false;
  protected canceled = false;
  private readonly running = new Map<string, Child>();
  protected readonly ended: { child: Child; job: JobInfo }[] = [];
  private readonly started = Date.now();
  private readonly listener: vscode.Disposable;

  constructor(
    protected readonly jobs: JobService,
    private readonly callbacks: ConsoleCallbacks,
  ) {
    this.listener = jobs.onDidEnd((job) => {
      const child = this.running.get(job.id);
      if (!child) return;
      this.running.delete(job.id);
      this.ended.push({ child, job });
      const exit = job.status === 'failed' && job.exitCode !== undefined && job.exitCode !== null ? ` (exit ${job.exitCode})` : '';
      this.note(`${child.name}: ${job.status}${exit} in ${formatDuration(job.durationMs ?? 0)}`);
      this.childEnded(job);
      this.finishIfDone();
    });
  }

  note(text: string): void {
    const chunk: Chunk = { seq: this.seq++, ts: Date.now(), stream: 'system', text: `${text}\n` };
    this.callbacks.onChunk(chunk);
  }

  cancel(): void {
    if (this.canceled || this.done) return;
    this.canceled = true;
    this.dropWaiting();
    for (const id of [...this.running.keys()]) this.jobs.cancel(id);
    this.finishIfDone();
  }

  /** How many children run now. */
  protected get runningCount(): number {
    return this.running.size;
  }

  protected startChild(child: Child): void {
    // Known before it starts: a job that cannot start ends at once.
    this.running.set(child.planned.id, child);
    this.note(`${child.name}: started`);
    this.jobs.start(child.planned, child.request);
  }

  /** A child ended (its end is in the log): start the next, or stop. */
  protected abstract childEnded(job: JobInfo): void;
  /** Whether children are left to start. */
  protected abstract hasWaiting(): boolean;
  /** Canceled: the children not started yet will not be. */
  protected abstract dropWaiting(): void;
  /** How the group ended, once every child it started has. */
  protected abstract outcome(): GroupOutcome;

  protected finishIfDone(): void {
    if (this.done || this.running.size > 0 || this.hasWaiting()) return;
    this.done = true;
    this.listener.dispose();
    const outcome = this.outcome();
    this.note(outcome.summary);
    const finishedAt = Date.now();
    const result: JobResult = { status: outcome.status, exitCode: outcome.exitCode, signal: null, durationMs: finishedAt - this.started, finishedAt };
    this.callbacks.onExit(result);
  }
}
