import * as vscode from 'vscode';

const channel = vscode.window.createOutputChannel('VM Orchestrator', { log: true });

/** Runs a write to the channel; once the window is closing the channel throws, and a log line must never break what logs it. */
function safely(write: () => void): void {
  try {
    write();
  } catch {
    // The window is going away; there is nobody to read it.
  }
}

// One log for the whole extension (Output ▸ VM Orchestrator), with levels the user can change.
export const log = {
  trace: (message: string, ...args: unknown[]) => safely(() => channel.trace(message, ...args)),
  debug: (message: string, ...args: unknown[]) => safely(() => channel.debug(message, ...args)),
  info: (message: string, ...args: unknown[]) => safely(() => channel.info(message, ...args)),
  warn: (message: string, ...args: unknown[]) => safely(() => channel.warn(message, ...args)),
  error: (error: string | Error, ...args: unknown[]) => safely(() => channel.error(error, ...args)),
  show: () => channel.show(),
  dispose: () => channel.dispose(),
};
