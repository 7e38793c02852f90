import path from 'node:path';
import * as vscode from 'vscode';
import { chunksToText } from '../../core/jobs/textExport';
import type { InMemoryRecorder } from '../../core/jobs/inMemoryRecorder';
import type { Chunk, JobInfo } from '../../shared/jobs';
import { PanelTypes } from '../../shared/ids';
import {
  APPEND_BATCH_CHARS,
  assertNever,
  DEFAULT_CREDIT_WINDOW,
  isConsoleToHostMessage,
  type ConsoleToHostMessage,
  type HostToConsoleMessage,
  type LinkTarget,
  type TextExportOptions,
} from '../../shared/protocol';
import { Disposable } from '../disposable';
import { log } from '../logger';
import { openFileAt } from '../views/problemNode';
import { webviewHtml, webviewRoots } from './webviewHtml';

/** What the console asks of the rest of the extension. */
export interface ConsoleActions {
  cancel(jobId: string): void;
  rerun(jobId: string): void;
  maxLines(): number;
}

/** Chunks re-sent to a new webview; older ones are fetched back when the user scrolls up. */
const TAIL_CHUNKS = 256;
/** How often output is sent at most: once per frame. */
const FRAME_MS = 16;

// One console tab. It reads the job's output from the recorder and sends it to the webview in
// batches, keeping at most a window of unacknowledged characters in flight (credits), so a
// flood of output never freezes the editor and never slows the job: the recorder keeps it all.
export class ConsolePanel extends Disposable {
  private readonly panel: vscode.WebviewPanel;
  private jobId: string;
  private ready = false;
  private creditWindow = DEFAULT_CREDIT_WINDOW;
  private sentChars = 0;
  private consumedChars = 0;
  private nextSeq = 0;
  private pumpTimer: NodeJS.Timeout | undefined;
  private readonly closed = this.register(new vscode.EventEmitter<void>());
  readonly onDidClose = this.closed.event;

  constructor(
    extensionUri: vscode.Uri,
    private readonly recorder: InMemoryRecorder,
    private readonly actions: ConsoleActions,
    job: JobInfo,
  ) {
    super();
    this.jobId = job.id;
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
    // A hidden tab's webview is destroyed; it says `ready` again when shown and is sent everything anew.
    this.register(this.panel.onDidChangeViewState(() => this.panel.visible || (this.ready = false)));
    const onChunks = (jobId: string): void => {
      if (jobId === this.jobId) this.schedulePump();
    };
    const onJob = (info: JobInfo): void => {
      if (info.id === this.jobId) this.postStatus(info);
    };
    recorder.on('chunks', onChunks);
    recorder.on('job', onJob);
    this.register({ dispose: () => (recorder.off('chunks', onChunks), recorder.off('job', onJob)) });
  }

  get currentJob(): string {
    return this.jobId;
  }

  /** Shows another job in this tab (a rerun, or every job when the tab is reused). */
  showJob(job: JobInfo): void {
    this.jobId = job.id;
    this.panel.title = job.title;
    if (this.ready) this.start();
    this.reveal();
  }

  reveal(): void {
    this.panel.reveal(undefined, true);
  }

  private onMessage(raw: unknown): void {
    if (!isConsoleToHostMessage(raw)) {
      log.warn('Console: ignored a malformed message from the webview');
      return;
    }
    const message: ConsoleToHostMessage = raw;
    if (message.type !== 'ready' && message.jobId !== this.jobId) return;
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.creditWindow = message.creditWindow;
        this.start();
        break;
      case 'console/credit':
        this.consumedChars = Math.max(this.consumedChars, message.consumed);
        this.schedulePump();
        break;
      case 'job/cancel':
        this.actions.cancel(message.jobId);
        break;
      case 'job/rerun':
        this.actions.rerun(message.jobId);
        break;
      case 'console/save':
        void this.save(message);
        break;
      case 'console/open-as-text':
        void this.openAsText(message);
        break;
      case 'console/open-link':
        void this.openLink(message.target);
        break;
      case 'console/fetch-older':
        this.sendOlder(message.beforeSeq, message.maxChars);
        break;
      default:
        assertNever(message);
    }
  }

  /** (Re)starts the webview on the current job: init, status, then the tail of its output. */
  private start(): void {
    const job = this.recorder.get(this.jobId);
    if (!job) return;
    const total = this.recorder.nextSeq(this.jobId);
    this.nextSeq = Math.max(0, total - TAIL_CHUNKS);
    this.sentChars = 0;
    this.consumedChars = 0;
    this.post({
      type: 'console/init',
      job,
      options: { maxLines: this.actions.maxLines(), wrap: false, timestamps: false, follow: true },
      canFetchOlder: this.nextSeq > 0,
    });
    this.postStatus(job);
    this.pump();
  }

  private postStatus(job: JobInfo): void {
    this.post({
      type: 'console/status',
      jobId: job.id,
      status: job.status,
      ...(job.exitCode !== undefined ? { exitCode: job.exitCode } : {}),
      ...(job.signal !== undefined ? { signal: job.signal } : {}),
      ...(job.durationMs !== undefined ? { durationMs: job.durationMs } : {}),
      ...(job.finishedAt !== undefined ? { finishedAt: job.finishedAt } : {}),
    });
  }

  private schedulePump(): void {
    this.pumpTimer ??= setTimeout(() => {
      this.pumpTimer = undefined;
      this.pump();
    }, FRAME_MS);
  }

  /** Sends output while the webview has credit; the rest waits in the recorder. */
  private pump(): void {
    if (!this.ready) return;
    while (this.sentChars - this.consumedChars < this.creditWindow && this.nextSeq < this.recorder.nextSeq(this.jobId)) {
      const chunks = this.recorder.read(this.jobId, this.nextSeq, APPEND_BATCH_CHARS);
      if (chunks.length === 0) break;
      this.post({ type: 'console/append', jobId: this.jobId, chunks });
      this.nextSeq = chunks[chunks.length - 1].seq + 1;
      this.sentChars += chunks.reduce((n, c) => n + c.text.length, 0);
    }
  }

  // The chunks just before `beforeSeq`, about `maxChars` of them, read back from the recorder.
  private sendOlder(beforeSeq: number, maxChars: number): void {
    const chunks: Chunk[] = [];
    let chars = 0;
    let seq = Math.min(beforeSeq, this.recorder.nextSeq(this.jobId)) - 1;
    for (; seq >= 0 && chars < maxChars; seq--) {
      const [chunk] = this.recorder.read(this.jobId, seq, 1);
      if (!chunk || chunk.seq !== seq) break;
      chunks.unshift(chunk);
      chars += chunk.text.length;
    }
    this.post({ type: 'console/older', jobId: this.jobId, chunks, hasMore: seq >= 0 });
  }

  private allText(options: TextExportOptions): string {
    return chunksToText(this.readAll(), options);
  }

  private *readAll(): Generator<Chunk> {
    for (let seq = 0; seq < this.recorder.nextSeq(this.jobId); ) {
      const page = this.recorder.read(this.jobId, seq, 1024 * 1024);
      if (page.length === 0) return;
      yield* page;
      seq = page[page.length - 1].seq + 1;
    }
  }

  private async save(options: TextExportOptions): Promise<void> {
    const job = this.recorder.get(this.jobId);
    const name = `${(job?.title ?? 'job').replace(/[^\w.-]+/g, '-')}.log`;
    const defaultUri = vscode.Uri.file(path.join(job?.cwd ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '', name));
    const uri = await vscode.window.showSaveDialog({ defaultUri, filters: { Logs: ['log', 'txt'] } });
    if (!uri) return;
    await vscode.workspace.fs.writeFile(uri, Buffer.from(this.allText(options), 'utf8'));
    vscode.window.setStatusBarMessage(`Saved ${vscode.workspace.asRelativePath(uri)}`, 3000);
  }

  private async openAsText(options: TextExportOptions): Promise<void> {
    const doc = await vscode.workspace.openTextDocument({ content: this.allText(options), language: 'log' });
    await vscode.window.showTextDocument(doc, { preview: false });
  }

  // Links come from program output: only web URLs open outside, and files open in the editor.
  private async openLink(target: LinkTarget): Promise<void> {
    if ('url' in target) {
      const uri = vscode.Uri.parse(target.url, true);
      if (uri.scheme === 'http' || uri.scheme === 'https') await vscode.env.openExternal(uri);
      return;
    }
    const cwd = this.recorder.get(this.jobId)?.cwd ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '/';
    const file = path.resolve(cwd, target.path);
    try {
      await vscode.workspace.fs.stat(vscode.Uri.file(file));
    } catch {
      vscode.window.showWarningMessage(`${file} does not exist.`);
      return;
    }
    await openFileAt(file, target.line, target.column);
  }

  private post(message: HostToConsoleMessage): void {
    // Before `ready` nothing is sent: start() sends the whole state once the webview listens.
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  override dispose(): void {
    clearTimeout(this.pumpTimer);
    this.closed.fire();
    super.dispose();
    this.panel.dispose();
  }
}
