import os from 'node:os';
import * as vscode from 'vscode';
import { chooseMode } from '../../core/exec/runMode';
import type { RunJob } from '../../core/hub/runAnswers';
import { visibleCommand } from '../../core/jobs/storedRerun';
import { aliasError, assignmentError, targetError } from '../../core/mkcli/names';
import { vmContext } from '../../core/ssh/vmContext';
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
    const entry = (await ctx.projects.entries()).entries.find((e) => e.alias === request.alias);
    if (!entry) return refuse(`the project ${request.alias} is not in the mkcli registry`);
    const listing = await ctx.targets.get(entry);
    if (!listing.targets.some((t) => t.name === request.target)) return refuse(`${request.alias} lists no target ${request.target}`);
    const node = request.vm === undefined ? undefined : await ctx.vms.vm(request.vm);
    if (request.vm !== undefined && !node) return refuse(`the VM ${request.vm} is not in this workspace's environments`);
    const vm = node && vmContext(node.vm, node.ssh, node.sshConfigFile);
    const mode = chooseMode(request.target, s.interactiveTargets, ctx.preferences.mode(entry.alias, request.target));
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
