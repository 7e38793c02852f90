import * as vscode from 'vscode';
import type { InMemoryRecorder } from '../../core/jobs/inMemoryRecorder';
import type { Settings } from '../config';
import { Disposable } from '../disposable';
import { ConsolePanel, type ConsoleActions } from './consolePanel';

/** Where jobs come from — this window's, or stored ones replayed from the hub — and what their toolbar does. */
export interface ConsoleSource {
  recorder: InMemoryRecorder;
  actions: Omit<ConsoleActions, 'maxLines'>;
  /** The user closed the tab that showed this job (not called when the window closes). */
  closed?(jobId: string): void;
}

// Which console tab shows which job: one tab per job, or one tab for all when the user set
// `console.reuseTab`. A rerun from a tab replaces the job shown in that tab. Closing a tab tells
// its source which job it showed (this window's source stops it, whatever its kind).
export class ConsoleManager extends Disposable {
  private readonly panels = new Set<ConsolePanel>();
  private disposing = false;

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
    panel.onDidClose(() => {
      this.panels.delete(panel);
      // The window closing is not the user closing a tab: the job service ends those jobs itself.
      if (!this.disposing) source.closed?.(panel.currentJob);
    });
  }

  override dispose(): void {
    this.disposing = true;
    for (const panel of this.panels) panel.dispose();
    super.dispose();
  }
}
