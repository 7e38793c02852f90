import * as vscode from 'vscode';
import { CommandIds } from './shared/ids';
import { registerCommand } from './host/commands/registerCommand';
import { log } from './host/logger';
import { registerProjects } from './host/registerProjects';
import { registerVms } from './host/registerVms';
import { settings } from './host/config';
import { VmJobs } from './host/jobs/vmJobs';
import { registerJobs } from './host/registerJobs';
import { MkcliTaskProvider } from './host/tasks/mkcliTaskProvider';
import { TaskType } from './shared/ids';

// Builds the services and registers the views and commands; nothing else happens here.
export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(log);
  const { projects, targets } = registerProjects(context);
  const jobs = registerJobs(context, projects, targets);
  registerVms(context, new VmJobs(jobs, settings));
  context.subscriptions.push(
    vscode.tasks.registerTaskProvider(TaskType, new MkcliTaskProvider(projects, targets, jobs)),
    registerCommand(CommandIds.showLog, () => log.show()),
  );
  log.info(`VM Orchestrator ${String(context.extension.packageJSON.version)} activated`);
}

export function deactivate(): void {}
