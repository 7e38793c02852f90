import type { RegistryEntry } from '../../core/mkcli/registry';
import type { VmContext } from '../../core/ssh/vmContext';
import type { JobInfo, JobMode } from '../../shared/jobs';
import { GroupRun, planChildren, type Child, type GroupOutcome } from './groupRun';
import type { ConsoleCallbacks, JobService } from './jobService';

/** A target to run on every VM of an environment. */
export interface EnvironmentRequest {
  entry: RegistryEntry;
  target: string;
  args: readonly string[];
  /** How each VM's job runs (console, or a terminal for an interactive target). */
  mode: JobMode;
  environment: string;
  vms: readonly VmContext[];
  /** How many VMs' jobs run at once. */
  concurrency: number;
}

// Runs a target once per VM of an environment: one parent job (kind `environment`, in a console
// tab of its own, with no process) and a child job per VM, `concurrency` at a time, each a target
// run for its VM. The parent's log says when each VM starts and how it ended; it ends when they
// all have: succeeded when every VM did, else failed, its exit code the number of VMs that did
// not succeed. Cancel cancels the running children and starts no more.
export async function runOnEnvironment(jobs: JobService, request: EnvironmentRequest, replacing?: string): Promise<JobInfo> {
  if (request.vms.length === 0) throw new Error(`The environment ${request.environment} has no VMs.`);
  const base = { entry: request.entry, target: request.target, args: request.args };
  const planned = await jobs.plan({ ...base, mode: 'console' });
  const parent: JobInfo = {
    ...planned,
    kind: 'environment',
    title: `${request.entry.alias} ${request.target} on ${request.environment} (${request.vms.length} VM${request.vms.length === 1 ? '' : 's'})`,
  };
  const children = await planChildren(
    jobs,
    request.vms.map((vm) => ({ name: vm.name, request: { ...base, mode: request.mode, vm, parentId: parent.id } })),
  );
  const rerun = (old: string): Promise<JobInfo> => runOnEnvironment(jobs, request, old);
  return jobs.launch(parent, (callbacks) => new FanOut(jobs, children, request, callbacks), rerun, replacing);
}

class FanOut extends GroupRun {
  private readonly concurrency: number;
  private readonly waiting: Child[];

  constructor(jobs: JobService, children: Child[], request: EnvironmentRequest, callbacks: ConsoleCallbacks) {
    super(jobs, callbacks);
    this.waiting = [...children];
    this.concurrency = Math.max(1, Math.floor(request.concurrency) || 1);
    this.note(`${request.entry.alias} ${request.target} on the ${children.length} VMs of ${request.environment}, ${this.concurrency} at a time: ${children.map((c) => c.name).join(', ')}`);
    this.startMore();
  }

  protected childEnded(): void {
    this.startMore();
  }

  protected hasWaiting(): boolean {
    return !this.canceled && this.waiting.length > 0;
  }

  protected dropWaiting(): void {
    if (this.waiting.length > 0) this.note(`Canceled: not started on ${this.waiting.map((c) => c.name).join(', ')}.`);
    this.waiting.length = 0;
  }

  protected outcome(): GroupOutcome {
    const notOk = this.ended.filter((e) => e.job.status !== 'success');
    const summary = notOk.length === 0 ? `all ${this.ended.length} succeeded` : `${this.ended.length - notOk.length} succeeded; not: ${notOk.map((e) => `${e.child.name} (${e.job.status})`).join(', ')}`;
    return {
      status: this.canceled ? 'canceled' : notOk.length === 0 ? 'success' : 'failed',
      exitCode: this.canceled ? null : notOk.length,
      summary: `${this.ended.length} of the VMs ran: ${summary}.`,
    };
  }

  private startMore(): void {
    while (!this.canceled && this.runningCount < this.concurrency && this.waiting.length > 0) this.startChild(this.waiting.shift()!);
    this.finishIfDone();
  }
}
