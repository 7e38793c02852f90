import { stepText } from '../../core/sequences/sequenceFile';
import type { JobInfo, JobMode } from '../../shared/jobs';
import { GroupRun, planChildren, type Child, type GroupOutcome } from './groupRun';
import type { ConsoleCallbacks, JobService, TargetRequest } from './jobService';

/** Targets to run one after the other. */
export interface SequenceRequest {
  /** The name of a sequence kept in the workspace; none for targets picked together in the tree. */
  name?: string;
  steps: readonly Omit<TargetRequest, 'parentId'>[];
  /** Where the sequence's own log is shown: a console tab of its own (default), or a task's terminal. */
  mode?: JobMode;
}

// Runs targets one after the other: one parent job (kind `sequence`, in a console tab of its own,
// with no process) and a child job per step. The first step that does not succeed stops it: the
// steps after it end `skipped`, never having run, and the sequence ends as that step did (failed
// with its exit code, canceled, interrupted). Cancel cancels the running step and skips the rest.
export async function runSequence(jobs: JobService, request: SequenceRequest, replacing?: string): Promise<JobInfo> {
  if (request.steps.length === 0) throw new Error('A sequence needs at least one target.');
  const texts = request.steps.map((s) => stepText({ alias: s.entry.alias, target: s.target, args: [...s.args], ...(s.vm ? { vm: s.vm.name } : {}) }));
  const first = await jobs.plan({ ...request.steps[0], mode: 'console' });
  const aliases = new Set(request.steps.map((s) => s.entry.alias));
  // A group runs no program: no argv. One project's sequence is filed under it, and runs in its folder.
  const parent: JobInfo = {
    id: first.id,
    kind: 'sequence',
    mode: request.mode ?? 'console',
    title: request.name ?? texts.join(' → '),
    argv: [],
    hostname: first.hostname,
    startedAt: first.startedAt,
    status: first.status,
    ...(aliases.size === 1 ? { alias: first.alias, cwd: first.cwd } : {}),
  };
  const children = await planChildren(
    jobs,
    request.steps.map((step, i) => ({ name: `${i + 1}/${request.steps.length} ${texts[i]}`, request: { ...step, parentId: parent.id } })),
  );
  // Run again from the Jobs view, it has a console tab even when a task's terminal showed it first.
  const rerun = (old: string): Promise<JobInfo> => runSequence(jobs, { ...request, mode: 'console' }, old);
  return jobs.launch(parent, (callbacks) => new Sequence(jobs, children, callbacks), rerun, replacing);
}

class Sequence extends GroupRun {
  private readonly waiting: Child[];
  private readonly skipped: Child[] = [];

  constructor(jobs: JobService, children: Child[], callbacks: ConsoleCallbacks) {
    super(jobs, callbacks);
    this.waiting = [...children];
    this.note(`${children.length} step${children.length === 1 ? '' : 's'}, one after the other, stopping at the first that does not succeed.`);
    this.next();
  }

  protected childEnded(job: JobInfo): void {
    if (job.status !== 'success') this.skipRest();
    this.next();
  }

  protected hasWaiting(): boolean {
    return this.waiting.length > 0;
  }

  protected dropWaiting(): void {
    this.skipRest();
  }

  protected outcome(): GroupOutcome {
    const stop = this.ended.find((e) => e.job.status !== 'success');
    const succeeded = this.ended.filter((e) => e.job.status === 'success').length;
    const skipped = this.skipped.length > 0 ? `; skipped ${this.skipped.length}` : '';
    if (!stop) {
      return this.canceled
        ? { status: 'canceled', exitCode: null, summary: `Canceled before a step started: ${succeeded} succeeded${skipped}.` }
        : { status: 'success', exitCode: 0, summary: `All ${succeeded} steps succeeded.` };
    }
    const { status, exitCode } = stop.job;
    const exit = status === 'failed' && exitCode !== undefined && exitCode !== null ? `, exit ${exitCode}` : '';
    return {
      status: status === 'failed' || status === 'canceled' || status === 'interrupted' ? status : 'failed',
      exitCode: status === 'failed' ? (exitCode ?? 1) : null,
      summary: `Stopped at ${stop.child.name} (${status}${exit}): ${succeeded} succeeded${skipped}.`,
    };
  }

  private next(): void {
    if (this.runningCount === 0 && this.waiting.length > 0) this.startChild(this.waiting.shift()!);
    this.finishIfDone();
  }

  // Records every step not started as skipped, one millisecond apart so that they list in order.
  private skipRest(): void {
    if (this.waiting.length === 0) return;
    const at = Date.now();
    this.waiting.forEach((child, i) => this.jobs.skip(child.planned, at + i));
    this.note(`Skipped: ${this.waiting.map((c) => c.name).join(', ')}.`);
    this.skipped.push(...this.waiting);
    this.waiting.length = 0;
  }
}
