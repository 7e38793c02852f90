import * as vscode from 'vscode';
import { stepText } from '../../core/sequences/sequenceFile';
import { isActive, type Chunk, type JobInfo } from '../../shared/jobs';
import { SequenceTaskType } from '../../shared/ids';
import type { SequenceContext } from '../commands/sequenceCommands';
import { runSequence } from '../jobs/sequenceRun';
import { sequenceRequest } from '../sequences/sequenceRequest';

interface SequenceTaskDefinition extends vscode.TaskDefinition {
  sequence: string;
}

// Every sequence of .vscode/vm-orchestrator.json as a task of type `mkcli-sequence`, so it shows
// in "Tasks: Run Task" and can be a dependency in tasks.json. It runs as Run Sequence… does, its
// log and each step's output in the task's terminal; the task ends with the sequence's exit code.
export class SequenceTaskProvider implements vscode.TaskProvider {
  constructor(private readonly ctx: SequenceContext) {}

  async provideTasks(): Promise<vscode.Task[]> {
    if (!vscode.workspace.isTrusted) return [];
    const { sequences } = await this.ctx.sequences.list();
    return sequences.map((s) => this.task({ type: SequenceTaskType, sequence: s.name }, s.steps.map(stepText).join(' → ')));
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    const definition = task.definition as SequenceTaskDefinition;
    if (typeof definition.sequence !== 'string') return undefined;
    return this.task(definition, undefined, task.scope);
  }

  private task(definition: SequenceTaskDefinition, detail: string | undefined, scope: vscode.Task['scope'] = vscode.TaskScope.Workspace): vscode.Task {
    const task = new vscode.Task(
      definition,
      scope ?? vscode.TaskScope.Workspace,
      definition.sequence,
      SequenceTaskType,
      new vscode.CustomExecution(() => Promise.resolve(new SequenceTerminal(this.ctx, definition.sequence))),
      [],
    );
    if (detail) task.detail = detail;
    return task;
  }
}

// Writes the sequence's log and its steps' output as they come. The sequence starts (and writes
// its first lines) before its id is known here, so output is held until then.
class SequenceTerminal implements vscode.Pseudoterminal {
  private readonly written = new vscode.EventEmitter<string>();
  readonly onDidWrite = this.written.event;
  private readonly closed = new vscode.EventEmitter<number>();
  readonly onDidClose = this.closed.event;
  private parent: JobInfo | undefined;
  private readonly held: { jobId: string; chunks: Chunk[] }[] = [];
  private readonly stop: () => void;
  private ended = false;

  constructor(
    private readonly ctx: SequenceContext,
    private readonly name: string,
  ) {
    const recorder = ctx.jobs.recorder;
    const onChunks = (jobId: string, chunks: Chunk[]): void => {
      if (!this.parent) this.held.push({ jobId, chunks });
      else if (this.ours(jobId)) this.write(chunks);
    };
    const onJob = (job: JobInfo): void => {
      if (job.id === this.parent?.id && !isActive(job.status)) this.end(job.exitCode ?? (job.status === 'success' ? 0 : 1));
    };
    recorder.on('chunks', onChunks);
    recorder.on('job', onJob);
    this.stop = () => (recorder.off('chunks', onChunks), recorder.off('job', onJob));
  }

  open(): void {
    void this.start();
  }

  /** The user closed the terminal: the sequence is canceled. */
  close(): void {
    if (this.parent) this.ctx.jobs.cancel(this.parent.id);
    this.stop();
  }

  private async start(): Promise<void> {
    try {
      const sequence = await this.ctx.sequences.find(this.name);
      if (!sequence) throw new Error(`No sequence named "${this.name}" in the workspace's .vscode/vm-orchestrator.json.`);
      this.parent = await runSequence(this.ctx.jobs, { ...(await sequenceRequest(this.ctx, sequence)), mode: 'terminal' });
    } catch (error) {
      this.written.fire(`${(error as Error).message}\r\n`);
      this.end(1);
      return;
    }
    for (const { jobId, chunks } of this.held.splice(0)) if (this.ours(jobId)) this.write(chunks);
    const now = this.ctx.jobs.recorder.get(this.parent.id);
    if (now && !isActive(now.status)) this.end(now.exitCode ?? 1);
  }

  private ours(jobId: string): boolean {
    return jobId === this.parent?.id || this.ctx.jobs.recorder.get(jobId)?.parentId === this.parent?.id;
  }

  private write(chunks: Chunk[]): void {
    for (const chunk of chunks) this.written.fire(chunk.text.replace(/\r?\n/g, '\r\n'));
  }

  private end(code: number): void {
    if (this.ended) return;
    this.ended = true;
    this.stop();
    this.closed.fire(code);
  }
}
