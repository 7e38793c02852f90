import * as vscode from 'vscode';
import { earlierRunsQuery, previousRun, sameJob } from '../../core/compare/previousRun';
import type { InMemoryRecorder } from '../../core/jobs/inMemoryRecorder';
import { formatCommand, formatDuration } from '../../shared/format';
import { isActive, type JobInfo } from '../../shared/jobs';
import { CommandIds } from '../../shared/ids';
import { outputUri } from '../compare/jobOutputDocuments';
import type { StoredJobs } from '../jobs/storedJobs';
import { JobNode } from '../views/jobsTreeProvider';
import { registerCommand } from './registerCommand';

interface CompareContext {
  recorder: InMemoryRecorder;
  stored: StoredJobs;
}

/** Pages of the history read at most when looking for earlier runs. */
const MAX_PAGES = 5;

// Compare with Previous Run (the last earlier run of the same job that succeeded, else the last
// one) and Compare with Run… (any earlier run): VS Code's diff editor between the two outputs,
// colours stripped and volatile parts masked.
export function registerCompareCommands(ctx: CompareContext): vscode.Disposable[] {
  return [
    registerCommand(CommandIds.compareWithPrevious, async (ref?: unknown) => {
      const job = await jobOf(ctx, ref);
      if (!job) return;
      const earlier = previousRun(job, await earlierRuns(ctx, job));
      if (!earlier) {
        void vscode.window.showInformationMessage(`No earlier run of ${job.title} to compare with.`);
        return;
      }
      await showDiff(earlier, job);
    }),
    registerCommand(CommandIds.compareWithRun, async (ref?: unknown) => {
      const job = await jobOf(ctx, ref);
      if (!job) return;
      const runs = (await earlierRuns(ctx, job)).sort((a, b) => b.startedAt - a.startedAt);
      if (runs.length === 0) {
        void vscode.window.showInformationMessage(`No earlier run of ${job.title} to compare with.`);
        return;
      }
      const picked = await vscode.window.showQuickPick(
        runs.map((run) => ({ label: new Date(run.startedAt).toLocaleString(), description: runFacts(run), detail: run.hostname, run })),
        { placeHolder: `Compare ${job.title} (${new Date(job.startedAt).toLocaleString()}) with which run?`, matchOnDescription: true },
      );
      if (picked) await showDiff(picked.run, job);
    }),
  ];
}

async function showDiff(earlier: JobInfo, job: JobInfo): Promise<void> {
  const title = `${job.title}: ${new Date(earlier.startedAt).toLocaleString()} (${earlier.status}) ↔ ${new Date(job.startedAt).toLocaleString()} (${job.status})`;
  await vscode.commands.executeCommand('vscode.diff', outputUri(earlier), outputUri(job), title, { preview: false });
}

function runFacts(run: JobInfo): string {
  return [run.status, run.durationMs !== undefined ? formatDuration(run.durationMs) : '', run.args && run.args.length > 0 ? formatCommand(run.args) : ''].filter(Boolean).join(' · ');
}

// The job a command was given (a Jobs view item, an id), else one picked from the finished jobs listed.
async function jobOf(ctx: CompareContext, ref: unknown): Promise<JobInfo | undefined> {
  if (ref instanceof JobNode) return ref.job;
  if (typeof ref === 'string') return ctx.recorder.get(ref) ?? (await ctx.stored.get(ref));
  const own = ctx.recorder.list();
  const listed = [...own, ...ctx.stored.jobs.filter((j) => !own.some((o) => o.id === j.id))].filter((j) => !isActive(j.status));
  if (listed.length === 0) {
    void vscode.window.showInformationMessage('No finished job to compare yet.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    listed.sort((a, b) => b.startedAt - a.startedAt).map((job) => ({ label: job.title, description: `${new Date(job.startedAt).toLocaleString()} · ${runFacts(job)}`, job })),
    { placeHolder: 'Compare which job with an earlier run?', matchOnDescription: true },
  );
  return picked?.job;
}

// Earlier runs of the same job: the hub's (every window's and machine's), and this window's.
async function earlierRuns(ctx: CompareContext, job: JobInfo): Promise<JobInfo[]> {
  const found = new Map<string, JobInfo>();
  for (const run of ctx.recorder.list()) if (!isActive(run.status) && run.startedAt <= job.startedAt && run.id !== job.id && sameJob(job, run)) found.set(run.id, run);
  if (ctx.stored.connected) {
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const { jobs, nextCursor } = await ctx.stored.list({ ...earlierRunsQuery(job), ...(cursor ? { cursor } : {}) });
      for (const run of jobs) if (!isActive(run.status) && run.id !== job.id && sameJob(job, run)) found.set(run.id, run);
      if (!nextCursor || [...found.values()].some((r) => r.status === 'success')) break;
      cursor = nextCursor;
    }
  }
  return [...found.values()];
}
