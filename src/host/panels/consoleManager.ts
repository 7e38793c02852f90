import * as vscode from 'vscode';
import type { InMemoryRecorder } from '../../core/jobs/inMemoryRecorder';
import type { Settings } from '../config';
import { Disposable } from '../disposable';
import { ConsolePanel, type ConsoleActions } from './consolePanel';

/** Where jobs come from — this window's, or stored ones replayed from the hub — and what their toolbar does. */
export interface ConsoleSource {
  recorder: InMemoryRecorder;
  actions: Omit<ConsoleActions, 'maxLines'>;
}

// Which console tab shows which job: one tab per job, or one tab for all when the user set
// `console.reuseTab`. A rerun from a tab replaces the job shown in that tab.
export class ConsoleManager extends Disposable {
  private readonly panels = new Set<ConsolePanel>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly sources: readonly ConsoleSource[],
    private readonly settings: () => Settings,
  ) {
    super();
  }

  /** Whether a source holds the job, so that show() can show it. */
  has(jobId: string): boolean {
    return this.sources.some((s) => s.recorder.get(jobId));
  }

  /** Shows the job's output: in the tab that showed `replacing`, in its own tab, or in the reused one. */
  show(jobId: string, replacing?: string): void {
    const source = this.sources.find((s) => s.recorder.get(jobId));
    const job = source?.recorder.get(jobId);
    if (!source || !job) throw new Error('This job is no longer kept: its output was dropped with older jobs.');
    // A tab reads its jobs from one source.
    const panels = [...this.panels].filter((p) => p.recorder === source.recorder);
    const existing =
      panels.find((p) => p.currentJob === jobId) ??
      panels.find((p) => replacing !== undefined && p.currentJob === replacing) ??
      (this.settings().reuseConsoleTab ? panels[0] : undefined);
    if (existing) {
      if (existing.currentJob !== jobId) existing.showJob(job);
      else existing.reveal();
      return;
    }
    const panel = new ConsolePanel(this.extensionUri, source.recorder, { ...source.actions, maxLines: () => this.settings().consoleMaxLines }, job);
    this.panels.add(panel);
    panel.onDidClose(() => this.panels.delete(panel));
  }

  override dispose(): void {
    for (const panel of this.panels) panel.dispose();
    super.dispose();
  }
}
