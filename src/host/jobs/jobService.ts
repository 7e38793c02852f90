import * as vscode from 'vscode';
import { startJob, type RunningJob } from '../../core/exec/startJob';
import type { InMemoryRecorder } from '../../core/jobs/inMemoryRecorder';
import { targetJobInfo } from '../../core/jobs/jobInfo';
import type { RegistryEntry } from '../../core/mkcli/registry';
import { displayCommand, targetCommand } from '../../core/mkcli/targetCommand';
import type { JobInfo, JobMode, JobResult } from '../../shared/jobs';
import type { Settings } from '../config';
import { Disposable } from '../disposable';
import { log } from '../logger';
import { JobTerminal } from './jobTerminal';

/** A target to run, as the user asked for it. */
export interface TargetRequest {
  entry: RegistryEntry;
  target: string;
  args: readonly string[];
  mode: JobMode;
}

/** Something that can stop a running job. */
interface Cancelable {
  cancel(): void;
}

// Starts targets as jobs — in the console or in a native terminal — and records each one,
// with all of its output, in the recorder. Nothing runs in an untrusted workspace.
export class JobService extends Disposable {
  private readonly running = new Map<string, Cancelable>();
  private readonly requests = new Map<string, TargetRequest>();
  private readonly ended = this.register(new vscode.EventEmitter<JobInfo>());
  /** Fires once per job, when it has ended. */
  readonly onDidEnd = this.ended.event;
  private lastJobId: string | undefined;

  constructor(
    readonly recorder: InMemoryRecorder,
    private readonly settings: () => Settings,
    private readonly showConsole: (jobId: string, replacing?: string) => void,
  ) {
    super();
  }

  /** Runs a target; resolves with the job as it started. `replacing`: the job whose console tab it takes over. */
  async run(request: TargetRequest, replacing?: string): Promise<JobInfo> {
    const job = await this.begin(request);
    if (job.mode === 'terminal') {
      const terminal = new JobTerminal(job, this.recorder, (result) => this.finish(job.id, result), this.settings().cancelGraceMs);
      this.running.set(job.id, terminal.show());
    } else {
      this.running.set(job.id, this.startInConsole(job));
      this.showConsole(job.id, replacing);
    }
    return job;
  }

  /** The terminal of a `mkcli` task: VS Code shows it, the job is recorded like any other. */
  async taskTerminal(request: TargetRequest): Promise<vscode.Pseudoterminal> {
    const job = await this.begin({ ...request, mode: 'terminal' });
    const terminal = new JobTerminal(job, this.recorder, (result) => this.finish(job.id, result), this.settings().cancelGraceMs, true);
    this.running.set(job.id, { cancel: () => terminal.close() });
    return terminal;
  }

  /** Runs the same target again with the same arguments and mode, in the same console tab. */
  async rerun(jobId: string): Promise<JobInfo> {
    const request = this.requests.get(jobId);
    if (!request) throw new Error('This job can no longer be rerun: it was started in an earlier session.');
    return this.run(request, jobId);
  }

  // Checks trust, builds the command (refusing a bad target) and records the job as started.
  private async begin(request: TargetRequest): Promise<JobInfo> {
    if (!vscode.workspace.isTrusted) {
      throw new Error('This workspace is in Restricted Mode: VM Orchestrator runs nothing until you trust it (Manage Workspace Trust).');
    }
    const command = await targetCommand(request.entry, request.target, request.args, process.env);
    const job = targetJobInfo({
      alias: request.entry.alias,
      target: request.target,
      args: request.args,
      command,
      cwd: request.entry.dir,
      mode: request.mode,
    });
    this.requests.set(job.id, request);
    this.lastJobId = job.id;
    this.recorder.started(job);
    log.info(`Job ${job.id} (${job.mode}): ${displayCommand(command)} in ${request.entry.dir}`);
    return job;
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

  runningJobs(): JobInfo[] {
    return [...this.running.keys()].map((id) => this.recorder.get(id)).filter((j): j is JobInfo => j !== undefined);
  }

  private startInConsole(job: JobInfo): RunningJob {
    const running = startJob(
      { argv: job.argv, cwd: job.cwd, usePty: true, cols: 160, rows: 40 },
      {
        graceMs: this.settings().cancelGraceMs,
        onChunk: (chunk) => this.recorder.chunks(job.id, [chunk]),
        onExit: (result) => this.finish(job.id, result),
      },
    );
    running.note(`$ ${displayCommand({ file: job.argv[0], args: job.argv.slice(1) })}`);
    running.note(
      running.transport === 'pty'
        ? `in ${job.cwd ?? '.'} · on a pseudo-terminal`
        : `in ${job.cwd ?? '.'} · with pipes (${running.ptyError ?? 'no terminal'}), FORCE_COLOR=1`,
    );
    return running;
  }

  private finish(jobId: string, result: JobResult): void {
    this.running.delete(jobId);
    this.recorder.finished(jobId, result);
    const job = this.recorder.get(jobId);
    log.info(`Job ${jobId} ended: ${result.status}, exit ${String(result.exitCode)}, ${result.durationMs} ms`);
    if (job) this.ended.fire(job);
  }

  /** Cancels every running job: the window is closing and must leave no process behind. */
  override dispose(): void {
    for (const job of this.running.values()) job.cancel();
    super.dispose();
  }
}
