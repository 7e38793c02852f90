import * as vscode from 'vscode';
import { rerunQuestion, type RerunPlan } from '../../core/jobs/storedRerun';
import type { JobInfo, JobKind } from '../../shared/jobs';
import { log } from '../logger';
import { askToRun } from './askToRun';
import { formatCommand, visibleText } from '../../shared/format';

/** A stored job rebuilt as this window runs it, and how to start exactly that. */
export interface PreparedRerun extends RerunPlan {
  start(): unknown;
}

/** Rebuilds a stored job of some kind as a click here would build it; throws with the reason to refuse it. */
export type RerunPreparer = (job: JobInfo) => Promise<PreparedRerun>;

// Runs jobs from the hub again — another window's, another machine's, an earlier session's: the
// hub only says what some operator reported. Each is rebuilt by the code of its kind as a click in
// this window builds it, refused when the stored command is not that, and started only after the
// user confirmed the exact command (askToRun).
export class StoredReruns {
  private readonly preparers = new Map<JobKind, RerunPreparer>();

  /** Says how jobs of these kinds are rebuilt; undone by the returned disposable. */
  register(kinds: readonly JobKind[], preparer: RerunPreparer): vscode.Disposable {
    for (const kind of kinds) this.preparers.set(kind, preparer);
    return { dispose: () => kinds.forEach((kind) => this.preparers.get(kind) === preparer && this.preparers.delete(kind)) };
  }

  /** Rebuilds, checks and — once the user said yes — runs a stored job again. */
  async rerun(job: JobInfo | undefined): Promise<void> {
    if (!job) throw new Error('This job is not in the history any more.');
    const prepare = this.preparers.get(job.kind);
    if (!prepare) throw new Error(`A ${visibleText(String(job.kind))} job cannot be run again from the history.`);
    const plan = await prepare(job);
    const question = rerunQuestion(plan, job as JobInfo & { reporter?: unknown });
    if (!(await askToRun(question))) {
      log.info(`Rerun of stored job ${job.id} declined: ${formatCommand(plan.argv)}`);
      return;
    }
    log.info(`Rerun of stored job ${job.id} confirmed`);
    await plan.start();
  }
}
