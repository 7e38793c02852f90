import path from 'node:path';
import * as vscode from 'vscode';
import { allChunks, ConsoleFeed, type FetchBefore } from '../../core/jobs/consoleFeed';
import { chunksToText } from '../../core/jobs/textExport';
import type { InMemoryRecorder } from '../../core/jobs/inMemoryRecorder';
import { assertNever, messageOf } from '../../shared/errors';
import { EVENTS_MAX_BYTES } from '../../shared/hubProtocol';
import type { Chunk, JobInfo } from '../../shared/jobs';
import { PanelTypes } from '../../shared/ids';
import { isConsoleToHostMessage, type ConsoleToHostMessage, type HostToConsoleMessage, type LinkTarget, type TextExportOptions } from '../../shared/protocol';
import type { JobProblems } from '../problems/jobProblems';
import { Disposable } from '../disposable';
import { log } from '../logger';
import { openFileAt } from '../views/problemNode';
import { webviewHtml, webviewRoots } from './webviewHtml';

/** What the console asks of the rest of the extension. */
export interface ConsoleActions {
  cancel(jobId: string): void;
  rerun(jobId: string): void;
  /** The tab shows this many characters and lines: the job's terminal should be that size. */
  resize(jobId: string, cols: number, rows: number): void;
  maxLines(): number;
  /** Output older than the recorder holds (a stored job opened at its end), from the store. */
  fetchBefore?: FetchBefore;
  /** The problems found in the output of this window's jobs, as they are found. */
  problems?: Pick<JobProblems, 'counts' | 'onDidChange' | 'openFirst'>;
}

// One console tab: a webview page fed by a ConsoleFeed, and the actions its toolbar asks for
// (cancel, rerun, save, open as text, open a link).
export class ConsolePanel extends Disposable {
  private readonly panel: vscode.WebviewPanel;
  private readonly feed: ConsoleFeed;
  private readonly closed = this.register(new vscode.EventEmitter<void>());
  private size: { cols: number; rows: number } | undefined;
  readonly onDidClose = this.closed.event;

  constructor(
    extensionUri: vscode.Uri,
    readonly recorder: InMemoryRecorder,
    private readonly actions: ConsoleActions,
    job: JobInfo,
  ) {
    super();
    this.panel = vscode.window.createWebviewPanel(
      PanelTypes.console,
      job.title,
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
      { enableScripts: true, localResourceRoots: webviewRoots(extensionUri) },
    );
    this.panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'activity.svg');
    this.panel.webview.html = webviewHtml(this.panel.webview, extensionUri, 'console', job.title);
    this.register(this.panel.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)));
    this.register(this.panel.onDidDispose(() => this.dispose()));
    this.feed = new ConsoleFeed(recorder, (m) => void this.panel.webview.postMessage(m), job.id, {
      maxLines: actions.maxLines,
      fetchBefore: actions.fetchBefore,
      onError: (message) => log.warn(message),
    });
    this.register({ dispose: () => this.feed.dispose() });
    if (actions.problems) this.register(actions.problems.onDidChange((jobId) => jobId === this.currentJob && this.postProblems()));
    // A hidden tab's webview is destroyed; it says `ready` again when shown and is sent everything anew.
    this.register(this.panel.onDidChangeViewState(() => this.panel.visible || this.feed.pause()));
    const onChunks = (jobId: string): void => this.feed.chunksAdded(jobId);
    const onJob = (info: JobInfo): void => this.feed.jobChanged(info);
    recorder.on('chunks', onChunks);
    recorder.on('job', onJob);
    this.register({ dispose: () => (recorder.off('chunks', onChunks), recorder.off('job', onJob)) });
  }

  get currentJob(): string {
    return this.feed.currentJob;
  }

  /** Shows another job in this tab (a rerun, or every job when the tab is reused). */
  showJob(job: JobInfo): void {
    this.panel.title = job.title;
    this.feed.switchTo(job.id);
    this.postProblems();
    if (this.size) this.actions.resize(job.id, this.size.cols, this.size.rows);
    this.reveal();
  }

  reveal(): void {
    this.panel.reveal(undefined, true);
  }

  // The counts of the job shown, while its window scans its output (a stored job's come with its end).
  private postProblems(): void {
    const counts = this.actions.problems?.counts(this.currentJob);
    if (!counts) return;
    const { errors, warnings, inProblemsPanel } = counts;
    void this.panel.webview.postMessage({ type: 'console/problems', jobId: this.currentJob, errors, warnings, canOpen: inProblemsPanel } satisfies HostToConsoleMessage);
  }

  private onMessage(raw: unknown): void {
    if (!isConsoleToHostMessage(raw)) {
      log.warn('Console: ignored a malformed message from the webview');
      return;
    }
    const message: ConsoleToHostMessage = raw;
    if (message.type === 'console/resize') {
      this.size = { cols: message.cols, rows: message.rows };
      this.actions.resize(this.currentJob, message.cols, message.rows);
      return;
    }
    if (message.type !== 'ready' && message.jobId !== this.currentJob) return;
    switch (message.type) {
      case 'ready':
        this.feed.ready(message.creditWindow);
        this.postProblems();
        break;
      case 'console/open-first-problem':
        void this.actions.problems?.openFirst(message.jobId);
        break;
      case 'console/credit':
        this.feed.credit(message.consumed);
        break;
      case 'console/paused':
        this.feed.pausedView(message.paused);
        break;
      case 'job/cancel':
        this.actions.cancel(message.jobId);
        break;
      case 'job/rerun':
        this.actions.rerun(message.jobId);
        break;
      case 'console/save':
        this.save(message).catch((err: unknown) => void vscode.window.showErrorMessage(`Could not save the output: ${messageOf(err)}`));
        break;
      case 'console/open-as-text':
        this.openAsText(message).catch((err: unknown) => void vscode.window.showErrorMessage(`Could not open the output: ${messageOf(err)}`));
        break;
      case 'console/open-link':
        void this.openLink(message.target);
        break;
      case 'console/fetch-older':
        this.feed.older(message.beforeSeq, message.maxChars);
        break;
      default:
        assertNever(message);
    }
  }

  /** The whole output: what the store holds before the recorder's first chunk, then the recorder's. */
  private async allText(options: TextExportOptions): Promise<string> {
    const jobId = this.currentJob;
    const fetchBefore = this.actions.fetchBefore;
    const older: Chunk[][] = [];
    for (let before = this.recorder.firstSeq(jobId); before > 0 && fetchBefore; ) {
      const page = await fetchBefore(jobId, before, EVENTS_MAX_BYTES);
      if (page.length === 0 || page[page.length - 1].seq !== before - 1) throw new Error(`the store has lost the output before chunk ${before}`);
      older.unshift(page);
      before = page[0].seq;
    }
    return chunksToText([...older.flat(), ...allChunks(this.recorder, jobId)], options);
  }

  private async save(options: TextExportOptions): Promise<void> {
    const job = this.recorder.get(this.currentJob);
    const name = `${(job?.title ?? 'job').replace(/[^\w.-]+/g, '-')}.log`;
    const defaultUri = vscode.Uri.file(path.join(job?.cwd ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '', name));
    const uri = await vscode.window.showSaveDialog({ defaultUri, filters: { Logs: ['log', 'txt'] } });
    if (!uri) return;
    await vscode.workspace.fs.writeFile(uri, Buffer.from(await this.allText(options), 'utf8'));
    vscode.window.setStatusBarMessage(`Saved ${vscode.workspace.asRelativePath(uri)}`, 3000);
  }

  private async openAsText(options: TextExportOptions): Promise<void> {
    const doc = await vscode.workspace.openTextDocument({ content: await this.allText(options), language: 'log' });
    await vscode.window.showTextDocument(doc, { preview: false });
  }

  // Links come from program output: only web URLs open outside, and files open in the editor.
  private async openLink(target: LinkTarget): Promise<void> {
    if ('url' in target) {
      const uri = vscode.Uri.parse(target.url, true);
      if (uri.scheme === 'http' || uri.scheme === 'https') await vscode.env.openExternal(uri);
      return;
    }
    const cwd = this.recorder.get(this.currentJob)?.cwd ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '/';
    const file = path.resolve(cwd, target.path);
    try {
      await vscode.workspace.fs.stat(vscode.Uri.file(file));
    } catch {
      vscode.window.showWarningMessage(`${file} does not exist.`);
      return;
    }
    await openFileAt(file, target.line, target.column);
  }

  override dispose(): void {
    this.closed.fire();
    super.dispose();
    this.panel.dispose();
  }
}
