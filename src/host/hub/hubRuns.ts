import os from 'node:os';
import * as vscode from 'vscode';
import type { RunJob } from '../../core/hub/runAnswers';
import { visibleCommand } from '../../core/jobs/storedRerun';
import { aliasError, assignmentError, targetError } from '../../core/mkcli/names';
import { listedTarget } from '../jobs/listedTarget';
import { CommandIds } from '../../shared/ids';
import type { VmTargetContext } from '../commands/vmTargetCommands';
import { log } from '../logger';

// A run asked for through the hub (the dashboard's Run dialog): an operator token is all it took,
// and that may be a teammate's. So it runs only where the user turned on hub.acceptRuns, in a
// trusted workspace, a target the project lists, with VAR=value arguments only — never a make
// option or another goal — and a notification shows the exact command as it starts.
export function hubRuns(ctx: VmTargetContext): RunJob {
  const refuse = (error: string) => ({ ok: false as const, error: `${os.hostname()}: ${error}` });
  return async (request) => {
    const s = ctx.settings();
    if (!s.hubAcceptRuns) return refuse('this window does not take runs from the hub (its user has not turned on vmOrchestrator.hub.acceptRuns)');
    if (!vscode.workspace.isTrusted) return refuse('the workspace is in Restricted Mode');
    const bad = aliasError(request.alias) ?? targetError(request.target) ?? (request.args ?? []).map((a) => assignmentError(a)).find((e) => e !== undefined);
    if (bad) return refuse(bad);
    const found = await listedTarget(ctx, request);
    if ('error' in found) return refuse(found.error);
    const { entry, vm } = found;
    const mode = ctx.preferences.clickMode(entry.alias, request.target, s.interactiveTargets);
    const job = await ctx.jobs.run({ entry, target: request.target, args: request.args ?? [], mode, ...(vm ? { vm } : {}) });
    const what = `${visibleCommand(job.argv)}${vm ? ` for the VM ${vm.id}` : ''}`;
    log.info(`Job ${job.id} started from the hub: ${what}`);
    const show = 'Show Output';
    void vscode.window.showInformationMessage(`Started from the hub: ${what}`, show).then((choice) => {
      if (choice === show) void vscode.commands.executeCommand(CommandIds.showJobOutput, job.id);
    });
    return { ok: true, jobId: job.id };
  };
}
