import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { InMemoryRecorder } from '../core/jobs/inMemoryRecorder';
import type { TargetCache } from '../core/mkcli/targetCache';
import { ViewIds } from '../shared/ids';
import { registerRunCommands } from './commands/runCommands';
import { settings } from './config';
import { notifyJobEnd } from './jobs/jobNotifications';
import { JobService } from './jobs/jobService';
import { jobStatusBar } from './jobs/jobStatusBar';
import { TargetPreferences } from './jobs/targetPreferences';
import { log } from './logger';
import { registerHub } from './registerHub';
import { ConsoleManager } from './panels/consoleManager';
import { JobsTreeProvider } from './views/jobsTreeProvider';
import type { ProjectsTreeProvider } from './views/projectsTreeProvider';

// Wires running: the job service, console tabs, the Jobs view, the status bar item,
// notifications and the run commands.
export function registerJobs(context: vscode.ExtensionContext, projects: ProjectsTreeProvider, targets: TargetCache): JobService {
  // Spill files of long outputs go in a folder of this window's, removed when it closes.
  const recorder = new InMemoryRecorder({ spillDir: spillDir(context) });
  const rerun = (jobId: string): void => {
    jobs.rerun(jobId).catch((error: Error) => {
      log.error('Rerun', error);
      void vscode.window.showErrorMessage(error.message);
    });
  };
  const consoles = new ConsoleManager(context.extensionUri, recorder, settings, { cancel: (id) => jobs.cancel(id), rerun });
  const jobs = new JobService(recorder, settings, (jobId, replacing) => consoles.show(jobId, replacing));
  const showOutput = (jobId: string): void => consoles.show(jobId);
  const jobsView = new JobsTreeProvider(recorder);
  context.subscriptions.push(
    { dispose: () => recorder.dispose() },
    jobs,
    consoles,
    jobsView,
    vscode.window.createTreeView(ViewIds.jobs, { treeDataProvider: jobsView }),
    jobStatusBar(recorder),
    jobs.onDidEnd((job) => notifyJobEnd(job, settings(), { showOutput, rerun })),
    ...registerRunCommands({ jobs, consoles, projects, targets, preferences: new TargetPreferences(context.workspaceState), settings }),
  );
  registerHub(context, recorder, jobs);
  return jobs;
}

function spillDir(context: vscode.ExtensionContext): string {
  const base = context.storageUri?.fsPath ?? context.globalStorageUri.fsPath ?? os.tmpdir();
  return path.join(base, 'spill');
}
