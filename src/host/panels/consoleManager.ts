import * as vscode from 'vscode';
import type { InMemoryRecorder } from '../../core/jobs/inMemoryRecorder';
import type { Settings } from '../config';
import { Disposable } from '../disposable';
import { ConsolePanel, type ConsoleActions } from './consolePanel';

// Which console tab shows which job: one tab per job, or one tab for all when the user set
// `console.reuseTab`. A rerun from a tab replaces the job shown in that tab.
export class ConsoleManager extends Disposable {
  private readonly panels = new Set<ConsolePanel>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly recorder: InMemoryRecorder,
    private readonly settings: () => Settings,
    private readonly actions: Omit<ConsoleActions, 'maxLines'>,
  ) {
    super();
  }

  /** Shows the job's output: in the tab that showed `replacing`, in its own tab, or in the reused one. */
  show(jobId: string, replacing?: string): void {
    const job = this.recorder.get(jobId);
    if (!job) throw new Error('This job is no longer kept: its output was dropped with older jobs.');
    const panels = [...this.panels];
    const existing =
      panels.find((p) => p.currentJob === jobId) ??
      panels.find((p) => replacing !== undefined && p.currentJob === replacing) ??
      (this.settings().reuseConsoleTab ? panels[0] : undefined);
    if (existing) {
      if (existing.currentJob !== jobId) existing.showJob(job);
      else existing.reveal();
      return;
    }
    const panel = new ConsolePanel(this.extensionUri, this.recorder, { ...this.actions, maxLines: () => this.settings().consoleMaxLines }, job);
    this.panels.add(panel);
    panel.onDidClose(() => this.panels.delete(panel));
  }

  override dispose(): void {
    for (const panel of this.panels) panel.dispose();
    super.dispose();
  }
}
