import * as vscode from 'vscode';
import { CommandIds, ViewIds } from './shared/ids';
import { registerCommand } from './host/commands/registerCommand';
import { log } from './host/logger';
import { registerProjects } from './host/registerProjects';
import { registerVms } from './host/registerVms';
import { JobsTreeProvider } from './host/views/jobsTreeProvider';

// Builds the services and registers the views and commands; nothing else happens here.
export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(log);
  registerProjects(context);
  registerVms(context);
  context.subscriptions.push(
    vscode.window.registerTreeDataProvider(ViewIds.jobs, new JobsTreeProvider()),
    registerCommand(CommandIds.showLog, () => log.show()),
  );
  log.info(`VM Orchestrator ${String(context.extension.packageJSON.version)} activated`);
}

export function deactivate(): void {}
