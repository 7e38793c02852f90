import * as vscode from 'vscode';

// One log for the whole extension (Output ▸ VM Orchestrator), with levels the user can change.
export const log: vscode.LogOutputChannel = vscode.window.createOutputChannel('VM Orchestrator', { log: true });
