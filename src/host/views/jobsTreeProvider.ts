import * as vscode from 'vscode';
import type { InMemoryRecorder } from '../../core/jobs/inMemoryRecorder';
import type { JobInfo, JobStatus } from '../../shared/jobs';
import { CommandIds } from '../../shared/ids';
import { Disposable } from '../disposable';
import { formatDuration } from '../format';
import { escapeMarkdown, markdownLines, tildify } from './markdown';

const STATUS_ICONS: Record<JobStatus, [string, string | undefined]> = {
  running: ['sync~spin', undefined],
  success: ['pass', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  canceled: ['circle-slash', 'disabledForeground'],
  interrupted: ['debug-disconnect', 'problemsWarningIcon.foreground'],
};

/** A job of this window; a click shows its output. */
export class JobNode extends vscode.TreeItem {
  constructor(readonly job: JobInfo) {
    super(job.title, vscode.TreeItemCollapsibleState.None);
    this.id = `job:${job.id}`;
    this.contextValue = job.status === 'running' ? 'vmoJobRunning' : 'vmoJobFinished';
    const [icon, color] = STATUS_ICONS[job.status];
    this.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    this.description = describe(job);
    this.tooltip = markdownLines([
      `**${escapeMarkdown(job.title)}** — ${job.status}${job.exitCode !== undefined && job.exitCode !== null ? `, exit code ${job.exitCode}` : ''}`,
      `\`${job.argv.join(' ').replace(/`/g, "'")}\``,
      job.cwd ? `in ${escapeMarkdown(tildify(job.cwd))}` : '',
      `${job.mode === 'terminal' ? 'Terminal' : 'Console'} · started ${new Date(job.startedAt).toLocaleString()} on ${escapeMarkdown(job.hostname)}`,
    ]);
    this.command = { command: CommandIds.showJobOutput, title: 'Show Output', arguments: [this] };
  }
}

function describe(job: JobInfo): string {
  if (job.status === 'running') return `running · ${job.mode}`;
  const parts: string[] = [job.status];
  if (job.durationMs !== undefined) parts.push(formatDuration(job.durationMs));
  // A canceled job's exit code is the signal's doing, not the program's verdict.
  if (job.status === 'failed' && job.exitCode !== undefined && job.exitCode !== null) parts.push(`exit ${job.exitCode}`);
  return parts.join(' · ');
}

// The Jobs view: running jobs first, then the most recent ones, kept up to date as they run.
export class JobsTreeProvider extends Disposable implements vscode.TreeDataProvider<JobNode> {
  private readonly changed = this.register(new vscode.EventEmitter<undefined>());
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly recorder: InMemoryRecorder) {
    super();
    const refresh = (): void => this.changed.fire(undefined);
    recorder.on('job', refresh);
    recorder.on('removed', refresh);
    this.register({ dispose: () => (recorder.off('job', refresh), recorder.off('removed', refresh)) });
  }

  getTreeItem(node: JobNode): vscode.TreeItem {
    return node;
  }

  getChildren(): JobNode[] {
    const jobs = this.recorder.list().reverse();
    const running = jobs.filter((j) => j.status === 'running');
    const done = jobs.filter((j) => j.status !== 'running');
    return [...running, ...done].map((j) => new JobNode(j));
  }
}
