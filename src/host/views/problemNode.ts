import path from 'node:path';
import * as vscode from 'vscode';
import { problemLocation, type Problem } from '../../core/problem';
import { CommandIds } from '../../shared/ids';

// A problem in one of the user's files, shown where it matters; a click opens the file there.
export class ProblemNode extends vscode.TreeItem {
  constructor(
    readonly problem: Problem,
    idPrefix: string,
  ) {
    super(problem.message, vscode.TreeItemCollapsibleState.None);
    this.id = `${idPrefix}problem:${problemLocation(problem)}:${problem.message}`;
    this.description = shortPath(problem.file) + (problem.line !== undefined ? `:${problem.line}` : '');
    this.contextValue = 'vmoProblem';
    this.iconPath =
      problem.severity === 'error'
        ? new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'))
        : new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
    this.tooltip = new vscode.MarkdownString().appendText(`${problem.message}\n\n${problemLocation(problem)}`);
    this.command = { command: CommandIds.openProblem, title: 'Open File at Problem', arguments: [this] };
  }
}

/** A file in the workspace by its relative path (many files are called config.yml), others by name. */
function shortPath(file: string): string {
  const uri = vscode.Uri.file(file);
  return vscode.workspace.getWorkspaceFolder(uri) ? vscode.workspace.asRelativePath(uri, false) : path.basename(file);
}

/** Opens a file at a 1-based line and column, or at its top. */
export async function openFileAt(file: string, line?: number, column?: number): Promise<void> {
  const position = new vscode.Position(Math.max(0, (line ?? 1) - 1), Math.max(0, (column ?? 1) - 1));
  await vscode.window.showTextDocument(vscode.Uri.file(file), {
    selection: new vscode.Range(position, position),
    preview: true,
  });
}

/** A line of information in a tree, with an action on click (e.g. "trust this workspace"). */
export class NoticeNode extends vscode.TreeItem {
  constructor(id: string, message: string, command?: vscode.Command) {
    super(message, vscode.TreeItemCollapsibleState.None);
    this.id = id;
    this.iconPath = new vscode.ThemeIcon('info');
    this.contextValue = 'vmoNotice';
    if (command) this.command = command;
  }
}

/** Shown instead of anything that would have to run a program while the workspace is untrusted. */
export function untrustedNotice(id: string, what: string): NoticeNode {
  return new NoticeNode(id, `Trust this workspace to ${what}`, { command: 'workbench.trust.manage', title: 'Manage Workspace Trust' });
}
