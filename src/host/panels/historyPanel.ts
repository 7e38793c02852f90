import * as vscode from 'vscode';
import { isHistoryToHostMessage, type HistoryToHostMessage, type HistoryToWebviewMessage } from '../../shared/historyProtocol';
import { assertNever, messageOf } from '../../shared/errors';
import { formatCommand } from '../../shared/format';
import { CommandIds, PanelTypes } from '../../shared/ids';
import { Disposable } from '../disposable';
import type { StoredJobs } from '../jobs/storedJobs';
import { noHubMessage } from '../hub/hubAddress';
import { log } from '../logger';
import { webviewHtml, webviewRoots } from './webviewHtml';

// The Job History tab: the hub's history of every window, paged and filtered in the webview,
// live as jobs start and end. Opening, rerunning and canceling go through the same commands as
// the Jobs view, so a job behaves the same wherever it is clicked. One tab; showing it again
// brings it to the front.
export class HistoryPanel extends Disposable {
  private static current: HistoryPanel | undefined;
  private readonly panel: vscode.WebviewPanel;

  static show(extensionUri: vscode.Uri, stored: StoredJobs): void {
    if (HistoryPanel.current) HistoryPanel.current.panel.reveal();
    else HistoryPanel.current = new HistoryPanel(extensionUri, stored);
  }

  private constructor(
    extensionUri: vscode.Uri,
    private readonly stored: StoredJobs,
  ) {
    super();
    this.panel = vscode.window.createWebviewPanel(
      PanelTypes.history,
      'Job History',
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
      // The history is read again from the hub when the tab is shown; nothing to keep while hidden.
      { enableScripts: true, localResourceRoots: webviewRoots(extensionUri) },
    );
    this.panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'history.svg');
    this.panel.webview.html = webviewHtml(this.panel.webview, extensionUri, 'history', 'Job History');
    this.register(this.panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m)));
    this.register(this.panel.onDidDispose(() => this.dispose()));
    this.register(stored.onDidChangeJob((job) => this.post({ type: 'history/job', job })));
    this.register(stored.onDidChangeConnection(() => this.postConnection()));
  }

  override dispose(): void {
    if (HistoryPanel.current === this) HistoryPanel.current = undefined;
    super.dispose();
    this.panel.dispose();
  }

  private post(message: HistoryToWebviewMessage): void {
    void this.panel.webview.postMessage(message);
  }

  private postConnection(): void {
    this.post(
      this.stored.connected
        ? { type: 'history/connection', connected: true }
        : { type: 'history/connection', connected: false, message: noHubMessage('the history cannot be shown') },
    );
  }

  private async onMessage(raw: unknown): Promise<void> {
    if (!isHistoryToHostMessage(raw)) {
      log.warn('Job History: ignored a malformed message from the webview');
      return;
    }
    const message: HistoryToHostMessage = raw;
    switch (message.type) {
      case 'ready':
        return this.postConnection();
      case 'history/list':
        try {
          const page = await this.stored.list(message.query);
          return this.post({ type: 'history/page', requestId: message.requestId, jobs: page.jobs, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) });
        } catch (error) {
          return this.post({ type: 'history/error', requestId: message.requestId, message: messageOf(error) });
        }
      case 'history/open':
        return void vscode.commands.executeCommand(CommandIds.showJobOutput, message.jobId);
      case 'history/rerun':
        return void vscode.commands.executeCommand(CommandIds.rerunJob, message.jobId);
      case 'history/copy-command':
        return this.copyCommand(message.jobId);
      case 'history/delete':
        return this.delete(message.requestId, message.jobId);
      default:
        assertNever(message);
    }
  }

  private async copyCommand(jobId: string): Promise<void> {
    const job = await this.stored.get(jobId);
    if (!job) return;
    const command = formatCommand(job.argv);
    await vscode.env.clipboard.writeText(command);
    vscode.window.setStatusBarMessage(`Copied: ${command}`, 3000);
  }

  // Answers either way, so that the webview is never left waiting: kept when the user says no,
  // an error (which the webview shows beside the list) when the hub refuses.
  private async delete(requestId: number, jobId: string): Promise<void> {
    try {
      const job = await this.stored.get(jobId);
      const choice = await vscode.window.showWarningMessage(`Delete ${job?.title ?? 'this job'} and its output from the history?`, { modal: true }, 'Delete');
      if (choice === 'Delete') await this.stored.delete(jobId);
      this.post({ type: 'history/deleted', requestId, jobId, deleted: choice === 'Delete' });
    } catch (error) {
      this.post({ type: 'history/error', requestId, message: messageOf(error) });
    }
  }
}
