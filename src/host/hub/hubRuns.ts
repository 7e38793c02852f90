import os from 'node:os';
import * as vscode from 'vscode';
import type { RunJob } from '../../core/hub/runAnswers';
import { RUN_CONSENT_MS } from '../../shared/hubProtocol';
import { formatCommand, visibleText } from '../../shared/format';
import { aliasError, assignmentError, targetError } from '../../core/mkcli/names';
import { listedTarget } from '../jobs/listedTarget';
import { CommandIds } from '../../shared/ids';
import type { VmTargetContext } from '../commands/vmTargetCommands';
import { log } from '../logger';
import { askToRun } from '../jobs/askToRun';

// A run asked for through the hub (the dashboard's Run dialog): an operator token is all it took,
// and that may be a teammate's. So it runs only where the user turned on hub.acceptRuns, in a
// trusted workspace, a target the project lists, with VAR=value arguments only — never a make
// option or another goal — and only once the user confirmed the exact command (askToRun),
// within RUN_CONSENT_MS (after that the hub has stopped waiting, and the asker was told no).
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
    const target = { entry, target: request.target, args: request.args ?? [], mode, ...(vm ? { vm } : {}) };
    const planned = await ctx.jobs.plan(target);
    const what = `${formatCommand(planned.argv)}${vm ? ` for the VM ${visibleText(vm.id)}` : ''}`;
    const asked = Date.now();
    const confirmed = await askToRun({
      message: 'Run this, asked for through the hub?',
      detail: `${what}\n\nIn ${visibleText(entry.dir)}. Someone with an operator token of the hub asked for it from the dashboard; it may be a teammate.`,
    });
    if (!confirmed) {
      log.info(`A run asked for through the hub was declined: ${what}`);
      return refuse('its user declined the run');
    }
    if (Date.now() - asked > RUN_CONSENT_MS) {
      void vscode.window.showInformationMessage(`Not started: the hub stopped waiting for your answer, and told the dashboard no. ${what}`);
      return refuse('its user did not confirm the run in time');
    }
    const job = ctx.jobs.start(planned, target);
    log.info(`Job ${job.id} started from the hub: ${what}`);
    const show = 'Show Output';
    void vscode.window.showInformationMessage(`Started from the hub: ${what}`, show).then((choice) => {
      if (choice === show) void vscode.commands.executeCommand(CommandIds.showJobOutput, job.id);
    });
    return { ok: true, jobId: job.id };
  };
}
