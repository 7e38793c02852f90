import * as vscode from 'vscode';
import { parseArgs } from '../../core/exec/parseArgs';
import type { RegistryEntry } from '../../core/mkcli/registry';
import type { TargetCache } from '../../core/mkcli/targetCache';
import { displayCommand } from '../../core/mkcli/targetCommand';
import { commandMismatch, storedTarget } from '../../core/jobs/storedRerun';
import { visibleText } from '../../shared/format';
import { vmContext, type VmContext } from '../../core/ssh/vmContext';
import type { JobMode } from '../../shared/jobs';
import { CommandIds } from '../../shared/ids';
import type { Settings } from '../config';
import type { JobInfo } from '../../shared/jobs';
import type { JobService, TargetRequest } from '../jobs/jobService';
import type { PreparedRerun, StoredReruns } from '../jobs/storedReruns';
import type { StoredJobs } from '../jobs/storedJobs';
import type { TargetPreferences } from '../jobs/targetPreferences';
import type { ConsoleManager } from '../panels/consoleManager';
import type { JobNode } from '../views/jobsTreeProvider';
import { TargetNode, type ProjectsTreeProvider } from '../views/projectsTreeProvider';
import { namedTarget } from './namedTarget';
import type { VmsTreeProvider } from '../views/vmsTreeProvider';
import { registerCommand, registerRunCommand } from './registerCommand';
import { STEP } from './pickSteps';

interface RunContext {
  jobs: JobService;
  stored: StoredJobs;
  consoles: ConsoleManager;
  projects: ProjectsTreeProvider;
  targets: TargetCache;
  vms: VmsTreeProvider;
  preferences: TargetPreferences;
  reruns: StoredReruns;
  settings: () => Settings;
}

/** A job given as a Jobs view item (menus) or as its id (notifications, other commands). */
type JobRef = JobNode | string | undefined;
const jobIdOf = (ref: JobRef): string | undefined => (typeof ref === 'string' ? ref : ref?.job.id);

// Running targets from the tree and the palette, and acting on jobs — this window's, or stored
// ones of other windows and earlier sessions: rerun, cancel, show.
export function registerRunCommands(ctx: RunContext): vscode.Disposable[] {
  const { jobs, stored, consoles, preferences } = ctx;
  const run = async (entry: RegistryEntry, target: string, forced?: JobMode): Promise<void> => {
    if (forced) await preferences.setMode(entry.alias, target, forced);
    await jobs.run({ entry, target, args: preferences.clickArgs(entry.alias, target), mode: preferences.clickMode(entry.alias, target, ctx.settings().interactiveTargets) });
  };
  return [
    ctx.reruns.register(['target'], (job) => prepareTarget(ctx, job)),
    // From a keybinding: `{alias, target, args?, vm?}`; a run on a VM is Run Target on VM's.
    registerRunCommand(CommandIds.runTarget, async (subject: TargetNode | unknown) => {
      if (subject instanceof TargetNode) return run(subject.entry, subject.target.name);
      const named = namedTarget(subject);
      if (named.vm !== undefined) return vscode.commands.executeCommand(CommandIds.runTargetOnVm, named);
      const entry = (await ctx.projects.entries()).entries.find((e) => e.alias === named.alias);
      if (!entry) throw new Error(`The project ${named.alias} is not in the mkcli registry.`);
      const mode = preferences.clickMode(entry.alias, named.target, ctx.settings().interactiveTargets);
      return jobs.run({ entry, target: named.target, args: named.args ?? preferences.clickArgs(entry.alias, named.target), mode });
    }),
    registerRunCommand(CommandIds.runInTerminal, (node: TargetNode) => run(node.entry, node.target.name, 'terminal')),
    registerRunCommand(CommandIds.runInConsole, (node: TargetNode) => run(node.entry, node.target.name, 'console')),
    registerRunCommand(CommandIds.runWithArguments, async (node: TargetNode) => {
      if (await askArguments(node.entry, node.target.name, preferences)) await run(node.entry, node.target.name);
    }),
    registerRunCommand(CommandIds.runTargetPicker, async () => {
      const picked = await pickTarget(ctx);
      if (picked && (await askArguments(picked.entry, picked.target, preferences))) await run(picked.entry, picked.target);
    }),
    registerRunCommand(CommandIds.rerunLast, async () => {
      const last = jobs.lastJob();
      if (!last) {
        vscode.window.showInformationMessage('No job has run in this window yet.');
        return;
      }
      await jobs.rerun(last);
    }),
    registerRunCommand(CommandIds.rerunJob, async (ref: JobRef) => {
      const id = jobIdOf(ref);
      if (!id) return;
      // This window's own job runs again as it was clicked; any other is rebuilt, checked and confirmed.
      if (jobs.canRerun(id)) await jobs.rerun(id);
      else await ctx.reruns.rerun(typeof ref === 'object' ? ref.job : (stored.replays.get(id) ?? stored.jobs.find((j) => j.id === id) ?? (await stored.get(id))));
    }),
    registerCommand(CommandIds.cancelJob, async (ref: JobRef) => {
      const id = jobIdOf(ref) ?? (await pickRunningJob(jobs, 'Cancel which job?'));
      if (!id) return;
      if (jobs.isRunning(id)) jobs.cancel(id);
      else await stored.cancel(id);
    }),
    registerCommand(CommandIds.showRunningJobs, async () => {
      const id = await pickRunningJob(jobs, 'Show the output of which job?');
      if (id) consoles.show(id);
    }),
    registerCommand(CommandIds.showJobOutput, async (ref: JobRef) => {
      const id = jobIdOf(ref);
      if (!id) return;
      if (!consoles.has(id)) await stored.open(id);
      consoles.show(id);
    }),
  ];
}

// A stored target job is rebuilt from its project, target and arguments exactly as a click
// here builds it; its stored argv must be that command, word for word.
async function prepareTarget(ctx: RunContext, job: JobInfo): Promise<PreparedRerun> {
  const { alias, target, args } = storedTarget(job);
  const entry = (await ctx.projects.entries()).entries.find((e) => e.alias === alias);
  if (!entry) throw new Error(`The project ${alias} is not in this machine's mkcli registry, so ${alias} ${target} is not run.`);
  const vm = job.vm === undefined ? undefined : await storedVm(ctx, job.vm);
  const request: TargetRequest = { entry, target, args, mode: job.mode === 'terminal' ? 'terminal' : 'console', ...(vm ? { vm } : {}) };
  const planned = await ctx.jobs.plan(request);
  const what = displayCommand({ file: alias, args: [target, ...args] });
  const mismatch = commandMismatch(job.argv, planned.argv, what);
  if (mismatch) throw new Error(mismatch);
  const forVm = vm ? `, for the VM ${vm.id} (VMO_SSH_DEST=${vm.env.VMO_SSH_DEST} and the rest of its context in the environment)` : '';
  return {
    what: `${alias} ${target}${vm ? ` on ${vm.id}` : ''}`,
    argv: planned.argv,
    args,
    place: `In ${entry.dir}, ${request.mode === 'terminal' ? 'in a terminal' : 'in a console tab'}${forVm}.`,
    start: () => ctx.jobs.start(planned, request),
  };
}

// The VM a stored target job ran for, with its context as this workspace's environments give it now.
async function storedVm(ctx: RunContext, id: unknown): Promise<VmContext> {
  const node = await ctx.vms.vm(id);
  if (!node) throw new Error(`The VM ${visibleText(String(id))} is not in this workspace's environments, so the target is not run for it.`);
  return vmContext(node.vm, node.ssh, node.sshConfigFile);
}

// Asks for a target's arguments, showing the ones used last; false when the user pressed Escape.
async function askArguments(entry: RegistryEntry, target: string, preferences: TargetPreferences): Promise<boolean> {
  const text = await vscode.window.showInputBox({
    ...STEP,
    title: `Arguments for ${entry.alias} ${target}`,
    prompt: 'Variables and flags, e.g. ENV=staging -j4 (split like shell words; nothing is expanded or run by a shell). Empty for none.',
    value: preferences.argsText(entry.alias, target),
    validateInput: (value) => {
      try {
        parseArgs(value);
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    },
  });
  if (text === undefined) return false;
  await preferences.setArgsText(entry.alias, target, text.trim());
  return true;
}

/** Asks for a project, then one of its targets; undefined when the user pressed Escape or there is none. */
export async function pickTarget(ctx: Pick<RunContext, 'projects' | 'targets'>): Promise<{ entry: RegistryEntry; target: string } | undefined> {
  const registry = await ctx.projects.entries();
  if (registry.entries.length === 0) {
    vscode.window.showInformationMessage('No mkcli projects are registered yet.');
    return undefined;
  }
  const project = await vscode.window.showQuickPick(
    registry.entries.map((entry) => ({ label: entry.alias, description: entry.dir, entry })),
    { ...STEP, title: 'Run Target: project', placeHolder: 'Pick a project', matchOnDescription: true },
  );
  if (!project) return undefined;
  const listing = await ctx.targets.get(project.entry);
  if (listing.targets.length === 0) {
    const reason = listing.problems[0]?.message ?? 'make lists no targets';
    vscode.window.showWarningMessage(`${project.entry.alias} has no targets to run: ${reason}`);
    return undefined;
  }
  const target = await vscode.window.showQuickPick(
    listing.targets.map((t) => ({ label: t.name, description: t.description, name: t.name })),
    { ...STEP, title: `Run Target: ${project.entry.alias}`, placeHolder: 'Pick a target', matchOnDescription: true },
  );
  return target ? { entry: project.entry, target: target.name } : undefined;
}

async function pickRunningJob(jobs: JobService, placeHolder: string): Promise<string | undefined> {
  const running = jobs.runningJobs();
  if (running.length === 0) {
    vscode.window.showInformationMessage('No job is running.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    running.map((j) => ({
      label: j.title,
      description: `${j.status === 'queued' ? `queued for ${j.vm ?? 'its VM'}` : j.mode} · ${new Date(j.startedAt).toLocaleTimeString()}`,
      id: j.id,
    })),
    { placeHolder, matchOnDescription: true },
  );
  return picked?.id;
}
