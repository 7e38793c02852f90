import * as vscode from 'vscode';
import { CommandIds } from './shared/ids';
import { registerCommand } from './host/commands/registerCommand';
import { log } from './host/logger';
import { CatalogSync } from './host/hub/catalogSync';
import { registerProjects } from './host/registerProjects';
import { registerVms } from './host/registerVms';
import { settings } from './host/config';
import { VmJobs } from './host/jobs/vmJobs';
import { registerJobs } from './host/registerJobs';
import { MkcliTaskProvider } from './host/tasks/mkcliTaskProvider';
import { TaskType } from './shared/ids';

let closing: (() => Promise<void>) | undefined;

// Builds the services and registers the views and commands; nothing else happens here.
export function activate(context: vscode.ExtensionContext): void {
  const called = performance.now();
  context.subscriptions.push(log);
  // Discovery is reported to the hub once it has settled (after `hub` exists).
  const catalog = new CatalogSync((snapshot) => hub.reportCatalog(snapshot));
  context.subscriptions.push(catalog);
  const { projects, targets } = registerProjects(context, catalog);
  const { jobs, hub, reruns, close } = registerJobs(context, projects, targets);
  // Running jobs end `interrupted`, and the hub hears it.
  closing = close;
  const vmJobs = new VmJobs(jobs, settings);
  const vms = registerVms(context, vmJobs, catalog);
  context.subscriptions.push(reruns.register(['ssh-logs', 'remote-command'], (job) => vmJobs.prepareStored(job, vms)));
  context.subscriptions.push(
    vscode.tasks.registerTaskProvider(TaskType, new MkcliTaskProvider(projects, targets, jobs)),
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
