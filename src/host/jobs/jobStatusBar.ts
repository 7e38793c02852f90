import * as vscode from 'vscode';
import type { InMemoryRecorder } from '../../core/jobs/inMemoryRecorder';
import { CommandIds } from '../../shared/ids';

// The count of running (and queued) jobs in the status bar, hidden when none runs; a click picks one.
// Its icon stands still, as in the Jobs view and the consoles: a spinning icon keeps the
// workbench drawing 60 frames a second for as long as a job runs, which with a console open took
// Chromium 150–220 ms of CPU a second instead of 20 in code-server without GPU compositing.
export function jobStatusBar(recorder: InMemoryRecorder): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('vmOrchestrator.runningJobs', vscode.StatusBarAlignment.Left, 10);
  item.name = 'VM Orchestrator: Running Jobs';
  item.command = CommandIds.showRunningJobs;
  const update = (): void => {
    const running = recorder.list().filter((j) => j.status === 'running');
    const queued = recorder.list().filter((j) => j.status === 'queued');
    if (running.length + queued.length === 0) {
      item.hide();
      return;
    }
    item.text = `$(pulse) ${running.length} ${running.length === 1 ? 'job' : 'jobs'}${queued.length > 0 ? ` · ${queued.length} queued` : ''}`;
    item.tooltip = [running.length > 0 ? `Running: ${running.map((j) => j.title).join(', ')}` : '', queued.length > 0 ? `Queued: ${queued.map((j) => j.title).join(', ')}` : '']
      .filter(Boolean)
      .join('\n');
    item.show();
  };
  recorder.on('job', update);
  recorder.on('removed', update);
  return vscode.Disposable.from(item, { dispose: () => (recorder.off('job', update), recorder.off('removed', update)) });
}
