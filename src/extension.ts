import * as vscode from 'vscode';
import { registerCommand } from './host/commands/registerCommand';
import { log } from './host/logger';
import { CatalogSync } from './host/hub/catalogSync';
import { registerProjects } from './host/registerProjects';
import { registerVms } from './host/registerVms';
import { settings } from './host/config';
import { VmJobs } from './host/jobs/vmJobs';
import { closeJobs, createJobs, registerJobs } from './host/registerJobs';
import { registerHub } from './host/registerHub';
import { MkcliTaskProvider } from './host/tasks/mkcliTaskProvider';
import { CommandIds, TaskType } from './shared/ids';

let closing: (() => Promise<void>) | undefined;

// Builds the services and registers the views and commands; nothing else happens here.
export function activate(context: vscode.ExtensionContext): void {
  const called = performance.now();
  context.subscriptions.push(log);
  const windowJobs = createJobs(context);
  const hub = registerHub(context, windowJobs.recorder, windowJobs.jobs);
  closing = () => closeJobs(windowJobs, hub);
  // Discovery is reported to the hub once it has settled.
  const catalog = new CatalogSync((snapshot) => hub.reportCatalog(snapshot));
  context.subscriptions.push(catalog);
  const { projects, targets, sequences } = registerProjects(context, catalog);
  const vmJobs = new VmJobs(windowJobs.jobs, settings);
  const vms = registerVms(context, vmJobs, catalog);
  const reruns = registerJobs(context, windowJobs, hub, { projects, targets, vms, sequences });
  context.subscriptions.push(reruns.register(['ssh-logs', 'remote-command'], (job) => vmJobs.prepareStored(job, vms)));
  context.subscriptions.push(
    vscode.tasks.registerTaskProvider(TaskType, new MkcliTaskProvider(projects, targets, windowJobs.jobs)),
    registerCommand(CommandIds.showLog, () => log.show()),
  );
  // The time is VS Code's own guidance for extensions (activate fast, defer the rest); bench/activation reads it.
  log.info(`VM Orchestrator ${String(context.extension.packageJSON.version)} activated in ${(performance.now() - called).toFixed(1)} ms`);
}

// VS Code calls this when the window closes or reloads (and disposes the subscriptions at once).
export async function deactivate(): Promise<void> {
  try {
    await closing?.();
  } catch (error) {
    log.error('While closing', error);
  }
}
