import * as vscode from 'vscode';

/** Throws, saying why, in Restricted Mode: nothing runs until the workspace is trusted. */
export function assertTrusted(): void {
  if (!vscode.workspace.isTrusted) {
    throw new Error('This workspace is in Restricted Mode: VM Orchestrator runs nothing until you trust it (Manage Workspace Trust).');
  }
}
