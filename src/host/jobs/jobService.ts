import * as vscode from 'vscode';
import { startJob } from '../../core/exec/startJob';
import type { InMemoryRecorder } from '../../core/jobs/inMemoryRecorder';
import { targetJobInfo } from '../../core/jobs/jobInfo';
import type { RegistryEntry } from '../../core/mkcli/registry';
import { displayCommand, targetCommand } from '../../core/mkcli/targetCommand';
import type { Chunk, JobInfo, JobMode, JobResult } from '../../shared/jobs';
import type { Settings } from '../config';
import { Disposable } from '../disposable';
import { log } from '../logger';
import { JobTerminal } from './jobTerminal';
import { VmQueue } from '../../core/jobs/vmQueue';
import { JobProblems } from '../problems/jobProblems';
import { formatCommand } from '../../shared/format';
import { vmContextNotes, vmEnvironment, type VmContext } from '../../core/ssh/vmContext';
import { assertTrusted } from '../trust';

/** A target to run, as the user asked for it. */
export interface TargetRequest {
  entry: RegistryEntry;
  target: string;
  args: readonly string[];
  mode: JobMode;
  /** Run for this VM: its context is added to the target's environment. */
  vm?: VmContext;
  /** The job it is part of (an environment run, a sequence). */
  parentId?: string;
}

/** A running job: it can be stopped (SIGTERM, then SIGKILL after `graceMs`, default: the setting's). */
interface Cancelable {
  cancel(graceMs?: number): void;
  /** Its terminal's new size, when it runs on one the user does not size (a console's). */
  resize?(cols: number, rows: number): void;
}

/** What a console job needs from whoever starts its process: where chunks go and when it ends. */
export interface ConsoleCallbacks {
  onChunk(chunk: Chunk): void;
  onExit(result: JobResult): void;
  graceMs: number;
}

/** A job that has just started; `replacing`: the job whose console tab it takes over (a rerun's). */
export interface JobStart {
  job: JobInfo;
  replacing?: string;
}

/** A process started for a console job: it can be canceled and written into. */
export interface ConsoleProcess extends Cancelable {
  note(text: string): void;
}

// Starts targets as jobs — in the console or in a native terminal — and records each one,
// with all of its output, in the recorder. Nothing runs in an untrusted workspace.
export class JobService extends Disposable {
  private readonly running = new Map<string, Cancelable>();
  /** How to run each job of this window again. */
  private readonly reruns = new Map<string, (replacing: string) => Promise<JobInfo>>();
  private readonly started = this.register(new vscode.EventEmitter<JobStart>());
  /** Fires once per job, once it is launched (a console job whose process could not start has ended by then). */
  readonly onDidStart = this.started.event;
  private readonly ended = this.register(new vscode.EventEmitter<JobInfo>());
  /** Fires once per job, when it has ended. */
  readonly onDidEnd = this.ended.event;
  private lastJobId: string | undefined;
  /** Jobs stopped because the window is closing: they end `interrupted`, not `canceled`. */
  private readonly interrupting = new Set<string>();
  /** Runs on a VM wait here for their turn. */
  private readonly vms = new VmQueue(() => this.settings().perVmConcurrency);
  /** The problems in this window's jobs' output. */
  readonly problems: JobProblems;

  constructor(
    readonly recorder: InMemoryRecorder,
    private readonly settings: () => Settings,
  ) {
    super();
    this.problems = this.register(new JobProblems(recorder));
  }

  /** Runs a target; resolves with the job as it started. `replacing`: the job whose console tab it takes over. */
  async run(request: TargetRequest, replacing?: string): Promise<JobInfo> {
    return this.start(await this.plan(request), request, replacing);
  }

  /** The job a target request would start in this window — its command built as a click builds it — without starting it. */
  plan(request: TargetRequest): Promise<JobInfo> {
    return this.targetJob(request);
  }

  /** Starts a job from plan(), running exactly its argv. */
  start(planned: JobInfo, request: TargetRequest, replacing?: string): JobInfo {
    const job: JobInfo = { ...planned, startedAt: Date.now() };
    const rerun = (old: string): Promise<JobInfo> => this.run(request, old);
    if (job.mode === 'console') {
      return this.launch(job, (callbacks) => startTargetInConsole(job, callbacks, request.vm), rerun, replacing);
    }
    const recorded = this.record(job, rerun);
    this.whenFree(recorded, () => {
      const terminal = new JobTerminal(job, this.recorder, (result) => this.finish(job.id, result), { graceMs: this.settings().cancelGraceMs, vm: request.vm });
      this.running.set(job.id, terminal.show());
    });
    this.started.fire({ job: recorded });
    return recorded;
  }

  /** The terminal of a `mkcli` task: VS Code shows it, the job is recorded like any other. */
  async taskTerminal(request: TargetRequest): Promise<vscode.Pseudoterminal> {
    const taskRequest = { ...request, mode: 'terminal' as const };
    const job = await this.targetJob(taskRequest);
    this.record(job, (old) => this.run(taskRequest, old));
    const terminal = new JobTerminal(job, this.recorder, (result) => this.finish(job.id, result), { graceMs: this.settings().cancelGraceMs, closeOnExit: true });
    this.running.set(job.id, { cancel: () => terminal.close() });
    this.started.fire({ job });
    return terminal;
  }

  /** Records a planned job that will not run (a sequence's step after one that failed): it ends `skipped` at `at`. */
  skip(planned: JobInfo, at: number): void {
    this.recorder.started({ ...planned, startedAt: at });
    this.finish(planned.id, { status: 'skipped', exitCode: null, signal: null, durationMs: 0, finishedAt: at });
  }

  /** Whether this window knows how to run the job again (it started it in this session). */
  canRerun(jobId: string): boolean {
    return this.reruns.has(jobId);
  }

  /** Runs the same job again — same target, arguments and mode, or same VM command — in the same console tab. */
  async rerun(jobId: string): Promise<JobInfo> {
    const rerun = this.reruns.get(jobId);
    if (!rerun) throw new Error('This job can no longer be rerun: it was started in an earlier session.');
    return rerun(jobId);
  }

  /**
   * Starts a job whose output goes to a console tab: `start` spawns it with the callbacks
   * given (a target, a VM's log stream, a command on a VM); `rerun` starts it again.
   */
  launch(job: JobInfo, start: (callbacks: ConsoleCallbacks) => ConsoleProcess, rerun: (replacing: string) => Promise<JobInfo>, replacing?: string): JobInfo {
    const recorded = this.record(job, rerun);
    this.whenFree(recorded, () => {
      const process = start({
        graceMs: this.settings().cancelGraceMs,
        onChunk: (chunk) => this.recorder.chunks(job.id, [chunk]),
        onExit: (result) => this.finish(job.id, result),
      });
      // A process that could not start may already have ended.
      if (this.recorder.get(job.id)?.status === 'running') this.running.set(job.id, process);
    });
    this.started.fire({ job: recorded, replacing });
    return recorded;
  }

  // Refuses to run anything in an untrusted workspace, then records the job as started, or as
  // queued when it is a run on a VM that has no room for it now.
  private record(job: JobInfo, rerun: (replacing: string) => Promise<JobInfo>): JobInfo {
    assertTrusted();
    const vm = queuedOn(job);
    const recorded: JobInfo = vm !== undefined && !this.vms.hasRoom(vm) ? { ...job, status: 'queued' } : job;
    this.reruns.set(job.id, rerun);
    this.lastJobId = job.id;
    this.recorder.started(recorded);
    log.info(`Job ${job.id} (${job.kind}, ${job.mode}${recorded.status === 'queued' ? `, queued for ${vm}` : ''}): ${formatCommand(job.argv)}${job.cwd ? ` in ${job.cwd}` : ''}`);
    return recorded;
  }

  // Begins a recorded job now, or once its VM has room; until then Cancel takes it out of the line.
  private whenFree(job: JobInfo, begin: () => void): void {
    const vm = queuedOn(job);
    if (vm === undefined) {
      begin();
      return;
    }
    const began = this.vms.enter(vm, job.id, () => {
      if (this.recorder.get(job.id)?.status === 'queued') {
        this.recorder.began(job.id, Date.now());
        log.info(`Job ${job.id} begins: ${vm} has room`);
      }
      begin();
    });
    if (!began) this.running.set(job.id, { cancel: () => this.unqueue(job.id) });
  }

  // A queued job canceled (or its window closing) leaves the line and ends without having run.
  private unqueue(jobId: string): void {
    if (!this.vms.leave(jobId)) return;
    const job = this.recorder.get(jobId);
    const now = Date.now();
    this.finish(jobId, { status: 'canceled', exitCode: null, signal: null, durationMs: 0, finishedAt: Math.max(now, job?.startedAt ?? now) });
  }

  // The job record of a target, with the command that runs it (refusing a bad target).
  private async targetJob(request: TargetRequest): Promise<JobInfo> {
    const command = await targetCommand(request.entry, request.target, request.args, process.env);
    return targetJobInfo({
      alias: request.entry.alias,
      target: request.target,
      args: request.args,
      command,
      cwd: request.entry.dir,
      mode: request.mode,
      ...(request.vm ? { vm: request.vm } : {}),
      ...(request.parentId ? { parentId: request.parentId } : {}),
    });
  }

  /** The most recent job started in this window. */
  lastJob(): string | undefined {
    return this.lastJobId;
  }

  isRunning(jobId: string): boolean {
    return this.running.has(jobId);
  }

  cancel(jobId: string): void {
    this.running.get(jobId)?.cancel();
  }

  /** A console tab's size changed: its job's terminal follows (full-screen programs redraw). */
  resize(jobId: string, cols: number, rows: number): void {
    this.running.get(jobId)?.resize?.(cols, rows);
  }

  runningJobs(): JobInfo[] {
    return [...this.running.keys()].map((id) => this.recorder.get(id)).filter((j): j is JobInfo => j !== undefined);
  }

  private finish(jobId: string, ended: JobResult): void {
    this.running.delete(jobId);
    const counts = this.problems.settle(jobId);
    const status = this.interrupting.delete(jobId) && ended.status === 'canceled' ? 'interrupted' : ended.status;
    const result: JobResult = { ...ended, status, ...counts };
    this.recorder.finished(jobId, result);
    const job = this.recorder.get(jobId);
    log.info(`Job ${jobId} ended: ${result.status}, exit ${String(result.exitCode)}, ${result.durationMs} ms`);
    if (job) this.ended.fire(job);
    // Its VM's next run begins after this one is on record as ended.
    this.vms.leave(jobId);
  }

  // The window is closing (or reloading): every running job is stopped — SIGTERM, SIGKILL after
  // `graceMs` — and ends `interrupted`, so that its end is recorded while the window can still
  // report it. Resolves once they have ended, or after `timeoutMs`.
  async shutdown(graceMs = 1000, timeoutMs = graceMs + 2500): Promise<void> {
    const ids = [...this.running.keys()];
    if (ids.length === 0) return;
    log.info(`The window is closing: stopping ${ids.length} running job(s)`);
    const waiting = new Set(ids);
    const ended = new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        listener.dispose();
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      const listener = this.onDidEnd((job) => {
        waiting.delete(job.id);
        if (waiting.size === 0) done();
      });
    });
    for (const id of ids) {
      this.interrupting.add(id);
      this.running.get(id)?.cancel(graceMs);
    }
    await ended;
  }

  /** Cancels every job still running: the window is closing and must leave no process behind. */
  override dispose(): void {
    for (const job of this.running.values()) job.cancel();
    super.dispose();
  }
}

/** The VM a job holds while it runs (targets run for a VM, commands on one); log tabs hold none. */
function queuedOn(job: JobInfo): string | undefined {
  return (job.kind === 'target' || job.kind === 'remote-command') && job.vm !== undefined ? job.vm : undefined;
}

// A target in the console: on a pseudo-terminal when node-pty loads (colours, progress bars,
// line-buffered output), else pipes; the job's log says which, and the command, folder and VM.
function startTargetInConsole(job: JobInfo, callbacks: ConsoleCallbacks, vm: VmContext | undefined): ConsoleProcess {
  const running = startJob({ argv: job.argv, cwd: job.cwd, env: vmEnvironment(vm), tag: job.id, usePty: true, cols: 160, rows: 40 }, callbacks);
  running.note(`$ ${displayCommand({ file: job.argv[0], args: job.argv.slice(1) })}`);
  for (const line of vmContextNotes(vm)) running.note(line);
  running.note(
    running.transport === 'pty'
      ? `in ${job.cwd ?? '.'} · on a pseudo-terminal`
      : `in ${job.cwd ?? '.'} · with pipes (${running.ptyError ?? 'no terminal'}), FORCE_COLOR=1`,
  );
  return running;
}
