import * as vscode from 'vscode';
import { loadPty } from '../../core/exec/ptyLoader';
import { startJob, type RunningJob } from '../../core/exec/startJob';
import type { JobRecorder } from '../../core/jobs/recorder';
import { vmContextNotes, vmEnvironment, type VmContext } from '../../core/ssh/vmContext';
import type { JobInfo, JobResult } from '../../shared/jobs';

interface TerminalOptions {
  graceMs: number;
  /** Tasks close as the job ends (VS Code then says how to reuse the terminal); others wait for a key. */
  closeOnExit?: boolean;
  /** The VM the target runs for: its context is in the job's environment. */
  vm?: VmContext;
}

// A job in a native VS Code terminal, backed by node-pty through a Pseudoterminal: the user
// types, resizes and presses Ctrl+C as in any terminal, while the transcript, exit code and
// duration are recorded — which VS Code's own tasks cannot do.
export class JobTerminal implements vscode.Pseudoterminal {
  private readonly written = new vscode.EventEmitter<string>();
  private readonly closed = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.written.event;
  readonly onDidClose = this.closed.event;
  private job: RunningJob | undefined;
  private exitCode: number | undefined;

  constructor(
    private readonly info: JobInfo,
    private readonly recorder: JobRecorder,
    private readonly onEnd: (result: JobResult) => void,
    private readonly options: TerminalOptions,
  ) {}

  /** Opens the terminal; without node-pty, a plain terminal that records only the exit code. */
  show(): { cancel(graceMs?: number): void } {
    if ('error' in loadPty()) return plainTerminal(this.info, this.recorder, this.onEnd, this.options.vm);
    const terminal = vscode.window.createTerminal({ name: this.info.title, pty: this, iconPath: new vscode.ThemeIcon('tools') });
    terminal.show();
    return { cancel: (graceMs) => this.job?.cancel(graceMs) };
  }

  open(dimensions: vscode.TerminalDimensions | undefined): void {
    this.job = startJob(
      { argv: this.info.argv, cwd: this.info.cwd, env: vmEnvironment(this.options.vm), tag: this.info.id, usePty: true, cols: dimensions?.columns ?? 80, rows: dimensions?.rows ?? 24 },
      {
        graceMs: this.options.graceMs,
        onChunk: (chunk) => {
          this.recorder.chunks(this.info.id, [chunk]);
          this.written.fire(chunk.stream === 'system' ? dim(chunk.text) : chunk.text);
        },
        onExit: (result) => {
          this.exitCode = result.exitCode ?? 1;
          const how = result.status === 'canceled' ? 'was canceled' : `exited with code ${String(result.exitCode ?? result.signal)}`;
          this.onEnd(result);
          if (this.options.closeOnExit) {
            this.closed.fire(this.exitCode);
            return;
          }
          this.written.fire(dim(`\n${this.info.title} ${how}. Press any key to close the terminal.\n`));
        },
      },
    );
    for (const line of vmContextNotes(this.options.vm)) this.job.note(line);
  }

  handleInput(data: string): void {
    if (this.exitCode !== undefined) this.closed.fire(this.exitCode);
    else this.job?.write(data);
  }

  setDimensions(dimensions: vscode.TerminalDimensions): void {
    this.job?.resize(dimensions.columns, dimensions.rows);
  }

  /** The user closed the terminal: nothing it started may outlive it. */
  close(): void {
    if (this.exitCode === undefined) this.job?.cancel();
  }
}

/** Our own lines, dimmed, with the CRLF a terminal needs. */
function dim(text: string): string {
  return `\x1b[2m${text.replace(/\r?\n/g, '\r\n')}\x1b[0m`;
}

// Without node-pty the program runs as the terminal's own process: VS Code reports its exit
// code, but its output is not recorded. The job's log says so.
function plainTerminal(info: JobInfo, recorder: JobRecorder, onEnd: (result: JobResult) => void, vm: VmContext | undefined): { cancel(): void } {
  const started = Date.now();
  recorder.chunks(info.id, [
    { seq: 0, ts: started, stream: 'system', text: 'node-pty is not available: running in a plain terminal; only the exit code is recorded.\n' },
  ]);
  const terminal = vscode.window.createTerminal({
    name: info.title,
    shellPath: info.argv[0],
    shellArgs: info.argv.slice(1),
    ...(info.cwd ? { cwd: info.cwd } : {}),
    ...(vm ? { env: vm.env } : {}),
    iconPath: new vscode.ThemeIcon('tools'),
  });
  let canceled = false;
  const listener = vscode.window.onDidCloseTerminal((closed) => {
    if (closed !== terminal) return;
    listener.dispose();
    const exitCode = terminal.exitStatus?.code ?? null;
    onEnd({
      status: canceled ? 'canceled' : exitCode === 0 ? 'success' : 'failed',
      exitCode,
      signal: null,
      durationMs: Date.now() - started,
      finishedAt: Date.now(),
    });
  });
  terminal.show();
  return {
    cancel: () => {
      canceled = true;
      terminal.dispose();
    },
  };
}
