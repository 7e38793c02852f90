import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { InMemoryRecorder } from '../core/jobs/inMemoryRecorder';
import type { TargetCache } from '../core/mkcli/targetCache';
import { CommandIds, ViewIds } from '../shared/ids';
import { registerHistoryCommands } from './commands/historyCommands';
import { registerRunCommands } from './commands/runCommands';
import { settings } from './config';
import { notifyJobEnd } from './jobs/jobNotifications';
import { JobService } from './jobs/jobService';
import { StoredJobs } from './jobs/storedJobs';
import { StoredReruns } from './jobs/storedReruns';
import { jobStatusBar } from './jobs/jobStatusBar';
import { TargetPreferences } from './jobs/targetPreferences';
import { registerHub, type HubLink } from './registerHub';
import { ConsoleManager } from './panels/consoleManager';
import { JobsTreeProvider } from './views/jobsTreeProvider';
import type { ProjectsTreeProvider } from './views/projectsTreeProvider';

// Wires running: the job service, console tabs, the Jobs view, the status bar item,
// notifications, the run commands, and the hub that stores the jobs. The service, its recorder
// and the hub link are not subscriptions: VS Code disposes those as soon as it calls deactivate,
// while `close` still needs them to end running jobs and report that.
export function registerJobs(
  context: vscode.ExtensionContext,
  projects: ProjectsTreeProvider,
  targets: TargetCache,
): { jobs: JobService; hub: HubLink; reruns: StoredReruns; close(): Promise<void> } {
  // Spill files of long outputs go in a folder of this window's, removed when it closes.
  const recorder = new InMemoryRecorder({ spillDir: spillDir(context, 'spill') });
  const rerun = (jobId: string): void => void vscode.commands.executeCommand(CommandIds.rerunJob, jobId);
  const jobs = new JobService(recorder, settings, (jobId, replacing) => consoles.show(jobId, replacing));
  const hub = registerHub(context, recorder, jobs);
  const stored = new StoredJobs(hub, settings, spillDir(context, 'replays'));
  const reruns = new StoredReruns();
  const consoles = new ConsoleManager(
    context.extensionUri,
    [
      // Closing the tab of a job of this window stops it, as closing its terminal does: a target,
      // a command on a VM, a log stream alike, with the same remote hang-up as Cancel.
      {
        recorder,
        actions: { cancel: (id) => jobs.cancel(id), rerun, resize: (id, cols, rows) => jobs.resize(id, cols, rows) },
        closed: (id) => jobs.cancel(id),
      },
      // Replayed jobs run elsewhere: their terminal keeps its size, and closing their tab only
      // stops following them.
      {
        recorder: stored.replays,
        actions: {
          cancel: (id) => void vscode.commands.executeCommand(CommandIds.cancelJob, id),
          rerun,
          resize: () => undefined,
          fetchBefore: (id, beforeSeq, maxBytes) => stored.fetchBefore(id, beforeSeq, maxBytes),
        },
      },
    ],
    settings,
  );
  const showOutput = (jobId: string): void => consoles.show(jobId);
  const jobsView = new JobsTreeProvider(recorder, stored);
  context.subscriptions.push(
    stored,
    consoles,
    jobsView,
    vscode.window.createTreeView(ViewIds.jobs, { treeDataProvider: jobsView }),
    jobStatusBar(recorder),
    jobs.onDidEnd((job) => notifyJobEnd(job, settings(), { showOutput, rerun })),
    ...registerHistoryCommands(context.extensionUri, stored, hub),
    ...registerRunCommands({ jobs, stored, consoles, projects, targets, preferences: new TargetPreferences(context.workspaceState), reruns, settings }),
  );
  const close = async (): Promise<void> => {
    // VS Code gives a closing extension host about two seconds; what the hub has not stored by
    // then stays in this window's spool, which the next window sends.
    await jobs.shutdown(500, 1200);
    await hub.close(300);
    jobs.dispose();
    recorder.dispose();
  };
  return { jobs, hub, reruns, close };
}

function spillDir(context: vscode.ExtensionContext, name: string): string {
  const base = context.storageUri?.fsPath ?? context.globalStorageUri.fsPath ?? os.tmpdir();
  return path.join(base, name);
}
