import * as vscode from 'vscode';
import type { RegistryEntry } from '../../core/mkcli/registry';
import type { TargetCache } from '../../core/mkcli/targetCache';
import { formatCommand, visibleText } from '../../shared/format';
import { shortTitle } from '../../core/jobs/runQuestion';
import { askToRun } from '../jobs/askToRun';
import { vmContext } from '../../core/ssh/vmContext';
import { CommandIds } from '../../shared/ids';
import type { Settings } from '../config';
import type { JobService } from '../jobs/jobService';
import type { TargetPreferences } from '../jobs/targetPreferences';
import { TargetNode, type ProjectsTreeProvider } from '../views/projectsTreeProvider';
import { EnvironmentNode, VmNode, type VmsTreeProvider } from '../views/vmsTreeProvider';
import { runOnEnvironment } from '../jobs/environmentRun';
import { registerRunCommand } from './registerCommand';
import { STEP } from './pickSteps';
import { pickTarget } from './runCommands';
import { pickVm } from './vmCommands';
import { namedTarget, type TargetOnVm } from './namedTarget';

/** What runs targets on request: the job service, what is registered and listed, the user's choices. */
export interface VmTargetContext {
  jobs: JobService;
  projects: ProjectsTreeProvider;
  targets: TargetCache;
  vms: VmsTreeProvider;
  preferences: TargetPreferences;
  settings: () => Settings;
}

const isTargetOnVm = (value: unknown): value is TargetOnVm =>
  typeof value === 'object' && value !== null && ['alias', 'target', 'vm'].every((k) => typeof (value as Record<string, unknown>)[k] === 'string');

// Run Target on VM… and on Environment…: a target runs here, on this machine, with a VM's context in its
// environment (VMO_VM, VMO_SSH_DEST …), and is stored with that VM. From a target's menu the
// user picks the VM, from a VM's menu the target, from the palette both.
export function registerVmTargetCommands(ctx: VmTargetContext): vscode.Disposable[] {
  return [
    registerRunCommand(CommandIds.runTargetOnVm, async (subject?: TargetNode | VmNode | TargetOnVm) => {
      if (isTargetOnVm(subject)) return runNamed(ctx, { ...namedTarget(subject), vm: subject.vm, confirm: subject.confirm === true });
      const picked = subject instanceof TargetNode ? { entry: subject.entry, target: subject.target.name } : await pickTarget(ctx);
      if (!picked) return undefined;
      const vm = subject instanceof VmNode ? subject : await pickVm(ctx.vms, `Run ${picked.entry.alias} ${picked.target} on which VM?`);
      if (vm) await runOnVm(ctx, picked.entry, picked.target, vm);
      return undefined;
    }),
    registerRunCommand(CommandIds.runTargetOnEnvironment, async (subject?: TargetNode | EnvironmentNode) => {
      const picked = subject instanceof TargetNode ? { entry: subject.entry, target: subject.target.name } : await pickTarget(ctx);
      if (!picked) return;
      const environment = subject instanceof EnvironmentNode ? subject.environment.name : await pickEnvironment(ctx.vms, `Run ${picked.entry.alias} ${picked.target} on every VM of which environment?`);
      if (environment === undefined) return;
      const nodes = (await ctx.vms.allVms()).filter((n) => n.vm.environment === environment);
      const { entry, target } = picked;
      const s = ctx.settings();
      await runOnEnvironment(ctx.jobs, {
        entry,
        target,
        args: ctx.preferences.clickArgs(entry.alias, target),
        mode: ctx.preferences.clickMode(entry.alias, target, s.interactiveTargets),
        environment,
        vms: nodes.map((n) => vmContext(n.vm, n.ssh, n.sshConfigFile)),
        concurrency: s.environmentConcurrency,
      });
    }),
  ];
}

async function pickEnvironment(vms: VmsTreeProvider, placeHolder: string): Promise<string | undefined> {
  const counts = new Map<string, number>();
  for (const node of await vms.allVms()) counts.set(node.vm.environment, (counts.get(node.vm.environment) ?? 0) + 1);
  if (counts.size === 0) {
    void vscode.window.showInformationMessage('No VMs: add an environments/<env>/config.yml to the workspace.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    [...counts].map(([name, n]) => ({ label: name, description: `${n} VM${n === 1 ? '' : 's'}` })),
    { ...STEP, placeHolder },
  );
  return picked?.label;
}

async function runNamed(ctx: VmTargetContext, request: TargetOnVm): Promise<void> {
  const entry = (await ctx.projects.entries()).entries.find((e) => e.alias === request.alias);
  if (!entry) throw new Error(`The project ${request.alias} is not in the mkcli registry.`);
  const vm = await ctx.vms.vm(request.vm);
  if (!vm) throw new Error(`The VM ${request.vm} is not in this workspace's environments.`);
  await runOnVm(ctx, entry, request.target, vm, request.confirm, request.args);
}

async function runOnVm(ctx: VmTargetContext, entry: RegistryEntry, target: string, node: VmNode, confirm = false, given?: string[]): Promise<void> {
  const mode = ctx.preferences.clickMode(entry.alias, target, ctx.settings().interactiveTargets);
  const args = given ?? ctx.preferences.clickArgs(entry.alias, target);
  const request = { entry, target, args, mode, vm: vmContext(node.vm, node.ssh, node.sshConfigFile) };
  if (confirm) {
    const planned = await ctx.jobs.plan(request);
    const question = {
      message: shortTitle(visibleText(`Run ${entry.alias} ${target} on ${request.vm.id}?`), 'Run this target on a VM?'),
      detail: `${formatCommand(planned.argv)}\n\n${visibleText(`in ${entry.dir}, on this machine, with VMO_SSH_DEST=${node.ssh.destination} and the rest of ${node.vm.name}'s context in its environment.`)}`,
    };
    if (!(await askToRun(question))) return;
    ctx.jobs.start(planned, request);
    return;
  }
  await ctx.jobs.run(request);
}
