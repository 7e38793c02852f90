import * as vscode from 'vscode';
import os from 'node:os';
import type { InMemoryRecorder } from '../../core/jobs/inMemoryRecorder';
import type { StoredJobs } from '../jobs/storedJobs';
import { childOrder, isActive, isGroup, type JobInfo, type JobStatus } from '../../shared/jobs';
import { CommandIds } from '../../shared/ids';
import { Disposable } from '../disposable';
import { formatCommand, formatDuration, visibleText } from '../../shared/format';
import { markdownLines, tildify } from './markdown';
import { escapeMarkdown, markdownCode } from './markdownText';

/** Codicon and colour of each status; a running job's icon stands still (see jobStatusBar.ts). */
const STATUS_ICONS: Record<JobStatus, [string, string | undefined]> = {
  queued: ['clock', undefined],
  running: ['pulse', undefined],
  success: ['pass', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  canceled: ['circle-slash', 'disabledForeground'],
  interrupted: ['debug-disconnect', 'problemsWarningIcon.foreground'],
  skipped: ['debug-step-over', 'disabledForeground'],
};

/** A job of this window, or (`stored`) one of another window or an earlier session; a click shows its output. */
export class JobNode extends vscode.TreeItem {
  constructor(
    readonly job: JobInfo,
    stored = false,
  ) {
    // An environment run holds the jobs of its VMs, a sequence those of its steps.
    super(visibleText(job.title), isGroup(job.kind) ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    this.id = `job:${job.id}`;
    // A queued job is canceled and shown as a running one is.
    this.contextValue = `vmoJob${stored ? 'Stored' : ''}${isActive(job.status) ? 'Running' : 'Finished'}`;
    const [icon, color] = STATUS_ICONS[job.status];
    this.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    this.description = describe(job) + (job.args && job.args.length > 0 ? ` · ${argsText(job.args)}` : '') + (stored && job.hostname !== os.hostname() ? ` · on ${visibleText(job.hostname)}` : '');
    this.tooltip = markdownLines([
      `**${escapeMarkdown(visibleText(job.title))}** — ${job.status}${job.exitCode !== undefined && job.exitCode !== null ? `, exit code ${job.exitCode}` : ''}`,
      // A sequence runs no command of its own.
      job.argv.length > 0 ? markdownCode(formatCommand(job.argv)) : '',
      job.args && job.args.length > 0 ? `arguments ${markdownCode(argsText(job.args))}` : '',
      job.cwd ? `in ${escapeMarkdown(visibleText(tildify(job.cwd)))}` : '',
      `${job.mode === 'terminal' ? 'Terminal' : 'Console'} · started ${new Date(job.startedAt).toLocaleString()} on ${escapeMarkdown(visibleText(job.hostname))}`,
    ]);
    this.command = { command: CommandIds.showJobOutput, title: 'Show Output', arguments: [this] };
  }
}

/** A job's arguments (of a target, or its command on a VM) as a shell would need them, nothing hidden. */
const argsText = (args: readonly string[]): string => formatCommand(args);

function describe(job: JobInfo): string {
  if (job.status === 'running') return `running · ${job.mode}`;
  if (job.status === 'queued') return `queued · waits for ${job.vm ?? 'its VM'}`;
  const parts: string[] = [job.status];
  // A skipped job never ran: no duration to tell.
  if (job.durationMs !== undefined && job.status !== 'skipped') parts.push(formatDuration(job.durationMs));
  // A canceled job's exit code is the signal's doing, not the program's verdict.
  if (job.status === 'failed' && job.exitCode !== undefined && job.exitCode !== null) parts.push(`exit ${job.exitCode}`);
  return parts.join(' · ');
}

// The Jobs view: running jobs first, then the most recent ones — this window's as they run, and
// those the hub stores of every window and earlier sessions — kept up to date live.
export class JobsTreeProvider extends Disposable implements vscode.TreeDataProvider<JobNode> {
  private readonly changed = this.register(new vscode.EventEmitter<undefined>());
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly recorder: InMemoryRecorder,
    private readonly stored: StoredJobs,
  ) {
    super();
    const refresh = (): void => this.changed.fire(undefined);
    recorder.on('job', refresh);
    recorder.on('removed', refresh);
    this.register({ dispose: () => (recorder.off('job', refresh), recorder.off('removed', refresh)) });
    this.register(stored.onDidChange(refresh));
  }

  getTreeItem(node: JobNode): vscode.TreeItem {
    return node;
  }

  // The jobs of a group are under it, in the order they started; a job whose parent is not listed is at the top.
  getChildren(parent?: JobNode): JobNode[] {
    // This window's own record of a job is the freshest; the hub's may lag behind it.
    const own = new Map(this.recorder.list().map((j) => [j.id, new JobNode(j)]));
    const all = [...own.values(), ...this.stored.jobs.filter((j) => !own.has(j.id)).map((j) => new JobNode(j, true))];
    if (parent) return all.filter((n) => n.job.parentId === parent.job.id).sort((a, b) => childOrder(a.job, b.job));
    const listed = new Set(all.map((n) => n.job.id));
    const nodes = all.filter((n) => n.job.parentId === undefined || !listed.has(n.job.parentId));
    nodes.sort((a, b) => b.job.startedAt - a.job.startedAt);
    return [...nodes.filter((n) => isActive(n.job.status)), ...nodes.filter((n) => !isActive(n.job.status))];
  }
}
