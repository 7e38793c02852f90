import type * as vscode from 'vscode';
import type { RegistryEntry } from '../../core/mkcli/registry';
import type { VmContext } from '../../core/ssh/vmContext';
import { formatDuration } from '../../shared/format';
import type { Chunk, JobInfo, JobMode, JobResult } from '../../shared/jobs';
import type { ConsoleCallbacks, ConsoleProcess, JobService, TargetRequest } from './jobService';

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
  // Every child is planned first, so that starting them later never waits.
  const children = await Promise.all(
    request.vms.map(async (vm) => {
      const childRequest: TargetRequest = { ...base, mode: request.mode, vm, parentId: parent.id };
      return { vm, request: childRequest, planned: await jobs.plan(childRequest) };
    }),
  );
  const rerun = (old: string): Promise<JobInfo> => runOnEnvironment(jobs, request, old);
  return jobs.launch(parent, (callbacks) => new FanOut(jobs, children, request, callbacks), rerun, replacing);
}

interface Child {
  vm: VmContext;
  request: TargetRequest;
  planned: JobInfo;
}

class FanOut implements ConsoleProcess {
  private seq = 0;
  private canceled = false;
  private done = false;
  private readonly concurrency: number;
  private readonly waiting: Child[];
  private readonly running = new Map<string, Child>();
  private readonly ended: { vm: string; job: JobInfo }[] = [];
  private readonly started = Date.now();
  private readonly listener: vscode.Disposable;

  constructor(
    private readonly jobs: JobService,
    children: Child[],
    request: EnvironmentRequest,
    private readonly callbacks: ConsoleCallbacks,
  ) {
    this.waiting = [...children];
    this.concurrency = Math.max(1, Math.floor(request.concurrency) || 1);
    this.listener = jobs.onDidEnd((job) => this.childEnded(job));
    const names = children.map((c) => c.vm.name).join(', ');
    this.note(`${request.entry.alias} ${request.target} on the ${children.length} VMs of ${request.environment}, ${this.concurrency} at a time: ${names}`);
    this.startMore();
  }

  note(text: string): void {
    const chunk: Chunk = { seq: this.seq++, ts: Date.now(), stream: 'system', text: `${text}\n` };
    this.callbacks.onChunk(chunk);
  }

  cancel(): void {
    if (this.canceled || this.done) return;
    this.canceled = true;
    if (this.waiting.length > 0) this.note(`Canceled: not started on ${this.waiting.map((c) => c.vm.name).join(', ')}.`);
    this.waiting.length = 0;
    for (const id of [...this.running.keys()]) this.jobs.cancel(id);
    this.finishIfDone();
  }

  private startMore(): void {
    while (!this.canceled && this.running.size < this.concurrency && this.waiting.length > 0) {
      const child = this.waiting.shift()!;
      // Known before it starts: a job that cannot start ends at once.
      this.running.set(child.planned.id, child);
      this.note(`${child.vm.name}: started`);
      this.jobs.start(child.planned, child.request);
    }
    this.finishIfDone();
  }

  private childEnded(job: JobInfo): void {
    const child = this.running.get(job.id);
    if (!child) return;
    this.running.delete(job.id);
    this.ended.push({ vm: child.vm.name, job });
    const exit = job.exitCode !== undefined && job.exitCode !== null && job.status === 'failed' ? ` (exit ${job.exitCode})` : '';
    this.note(`${child.vm.name}: ${job.status}${exit} in ${formatDuration(job.durationMs ?? 0)}`);
    this.startMore();
  }

  private finishIfDone(): void {
    if (this.done || this.running.size > 0 || (this.waiting.length > 0 && !this.canceled)) return;
    this.done = true;
    this.listener.dispose();
    const notOk = this.ended.filter((e) => e.job.status !== 'success');
    const summary = notOk.length === 0 ? `all ${this.ended.length} succeeded` : `${this.ended.length - notOk.length} succeeded; not: ${notOk.map((e) => `${e.vm} (${e.job.status})`).join(', ')}`;
    this.note(`${this.ended.length} of the VMs ran: ${summary}.`);
    const finishedAt = Date.now();
    const result: JobResult = {
      status: this.canceled ? 'canceled' : notOk.length === 0 ? 'success' : 'failed',
      exitCode: this.canceled ? null : notOk.length,
      signal: null,
      durationMs: finishedAt - this.started,
      finishedAt,
    };
    this.callbacks.onExit(result);
  }
}
