import * as vscode from 'vscode';
import type { InMemoryRecorder } from '../../core/jobs/inMemoryRecorder';
import { CommandIds } from '../../shared/ids';

// The count of running (and queued) jobs in the status bar, hidden when none runs; a click picks one.
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
    item.text = `$(sync~spin) ${running.length} ${running.length === 1 ? 'job' : 'jobs'}${queued.length > 0 ? ` · ${queued.length} queued` : ''}`;
    item.tooltip = [running.length > 0 ? `Running: ${running.map((j) => j.title).join(', ')}` : '', queued.length > 0 ? `Queued: ${queued.map((j) => j.title).join(', ')}` : '']
      .filter(Boolean)
      .join('\n');
    item.show();
  };
  recorder.on('job', update);
  recorder.on('removed', update);
  return vscode.Disposable.from(item, { dispose: () => (recorder.off('job', update), recorder.off('removed', update)) });
}
