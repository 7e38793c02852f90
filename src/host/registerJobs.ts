import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { InMemoryRecorder } from '../core/jobs/inMemoryRecorder';
import type { TargetCache } from '../core/mkcli/targetCache';
import { CommandIds, SequenceTaskType, ViewIds } from '../shared/ids';
import { registerHistoryCommands } from './commands/historyCommands';
import { registerRunCommands } from './commands/runCommands';
import { registerVmTargetCommands } from './commands/vmTargetCommands';
import { registerSequenceCommands } from './commands/sequenceCommands';
import { registerCompareCommands } from './commands/compareCommands';
import { JobOutputDocuments, OUTPUT_SCHEME } from './compare/jobOutputDocuments';
import type { WorkspaceSequences } from './sequences/workspaceSequences';
import { SequenceTaskProvider } from './tasks/sequenceTaskProvider';
import { hubRuns } from './hub/hubRuns';
import { settings } from './config';
import { notifyJobEnd } from './jobs/jobNotifications';
import { JobService } from './jobs/jobService';
import { StoredJobs } from './jobs/storedJobs';
import { StoredReruns } from './jobs/storedReruns';
import { jobStatusBar } from './jobs/jobStatusBar';
import { TargetPreferences } from './jobs/targetPreferences';
import type { HubLink } from './registerHub';
import { ConsoleManager } from './panels/consoleManager';
import { JobsTreeProvider } from './views/jobsTreeProvider';
import { QUESTION_SCHEME, questionDocuments } from './jobs/askToRun';
import type { ProjectsTreeProvider } from './views/projectsTreeProvider';
import type { VmsTreeProvider } from './views/vmsTreeProvider';

/** This window's jobs: the service that runs them and the recorder that keeps their output. */
export interface WindowJobs {
  recorder: InMemoryRecorder;
  jobs: JobService;
}

// The job service and its recorder. They are not subscriptions: VS Code disposes those as soon as
// it calls deactivate, while closeJobs still needs them to end running jobs and report that.
export function createJobs(context: vscode.ExtensionContext): WindowJobs {
  // Spill files of long outputs go in a folder of this window's, removed when it closes.
  const recorder = new InMemoryRecorder({ spillDir: spillDir(context, 'spill') });
  return { recorder, jobs: new JobService(recorder, settings) };
}

// The window is closing: running jobs end `interrupted`, and the hub hears it. VS Code gives a
// closing extension host about two seconds; what the hub has not stored by then stays in this
// window's spool, which the next window sends.
export async function closeJobs({ recorder, jobs }: WindowJobs, hub: HubLink): Promise<void> {
  await jobs.shutdown(500, 1200);
  await hub.close(300);
  jobs.dispose();
  recorder.dispose();
}

// Wires running: console tabs, the Jobs view, the status bar item, notifications and the run
// commands, over the job service and the hub that stores the jobs.
export function registerJobs(
  context: vscode.ExtensionContext,
  { recorder, jobs }: WindowJobs,
  hub: HubLink,
  { projects, targets, vms, sequences }: { projects: ProjectsTreeProvider; targets: TargetCache; vms: VmsTreeProvider; sequences: WorkspaceSequences },
): StoredReruns {
  const rerun = (jobId: string): void => void vscode.commands.executeCommand(CommandIds.rerunJob, jobId);
  const stored = new StoredJobs(hub, settings, spillDir(context, 'replays'));
  const reruns = new StoredReruns();
  const preferences = new TargetPreferences(context.workspaceState);
  const consoles = new ConsoleManager(
    context.extensionUri,
    [
      // Closing the tab of a job of this window stops it, as closing its terminal does: a target,
      // a command on a VM, a log stream alike, with the same remote hang-up as Cancel.
      {
        recorder,
        actions: { cancel: (id) => jobs.cancel(id), rerun, resize: (id, cols, rows) => jobs.resize(id, cols, rows), problems: jobs.problems },
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
    // The jobs of a group (an environment run, a sequence) show in its tab's log and under it in the Jobs view, not in tabs of their own.
    jobs.onDidStart(({ job, replacing }) => job.mode === 'console' && job.parentId === undefined && consoles.show(job.id, replacing)),
    // A group tells of its end once, for all of its jobs.
    jobs.onDidEnd((job) => job.parentId === undefined && notifyJobEnd(job, settings(), { showOutput, rerun })),
    ...registerHistoryCommands(context.extensionUri, stored, hub),
    ...registerRunCommands({ jobs, stored, consoles, projects, targets, vms, preferences, reruns, settings }),
    ...registerVmTargetCommands({ jobs, projects, targets, vms, preferences, settings }),
    vscode.workspace.registerTextDocumentContentProvider(OUTPUT_SCHEME, new JobOutputDocuments(recorder, stored, settings)),
    vscode.workspace.registerTextDocumentContentProvider(QUESTION_SCHEME, questionDocuments),
    ...registerCompareCommands({ recorder, stored }),
    ...registerSequenceCommands({ jobs, projects, targets, vms, preferences, settings, sequences }),
    vscode.tasks.registerTaskProvider(SequenceTaskType, new SequenceTaskProvider({ jobs, projects, targets, vms, preferences, settings, sequences })),
    hub.takeRuns(hubRuns({ jobs, projects, targets, vms, preferences, settings })),
  );
  return reruns;
}

function spillDir(context: vscode.ExtensionContext, name: string): string {
  const base = context.storageUri?.fsPath ?? context.globalStorageUri.fsPath ?? os.tmpdir();
  return path.join(base, name);
}
