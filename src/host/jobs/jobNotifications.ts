import * as vscode from 'vscode';
import type { JobInfo } from '../../shared/jobs';
import type { Settings } from '../config';
import { formatDuration } from '../../shared/format';

/** What a job-end notification lets the user do. */
export interface JobEndActions {
  showOutput(jobId: string): void;
  rerun(jobId: string): void;
}

// A notification as a job ends — for failures only, for all, or never, as the user chose —
// with Show Output and Rerun. A job the user canceled is not worth a notification.
export function notifyJobEnd(job: JobInfo, settings: Settings, actions: JobEndActions): void {
  const when = settings.notifyOnJobEnd;
  if (when === 'none' || job.status === 'canceled' || (when === 'failures' && job.status !== 'failed')) return;
  const duration = job.durationMs !== undefined ? ` after ${formatDuration(job.durationMs)}` : '';
  const show = 'Show Output';
  const rerun = 'Rerun';
  const text =
    job.status === 'failed'
      ? `${job.title} failed${job.exitCode !== null && job.exitCode !== undefined ? ` with exit code ${job.exitCode}` : ''}${duration}.`
      : `${job.title} finished${duration}.`;
  const shown = job.status === 'failed' ? vscode.window.showErrorMessage(text, show, rerun) : vscode.window.showInformationMessage(text, show, rerun);
  void shown.then((choice) => {
    if (choice === show) actions.showOutput(job.id);
    else if (choice === rerun) actions.rerun(job.id);
  });
}
