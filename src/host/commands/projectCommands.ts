import * as vscode from 'vscode';
import { displayCommand, targetCommand } from '../../core/mkcli/targetCommand';
import { findMakefile } from '../../core/mkcli/targets';
import { CommandIds } from '../../shared/ids';
import type { Settings } from '../config';
import { openFileAt, type ProblemNode } from '../views/problemNode';
import { ProjectNode, TargetNode, type ProjectsTreeProvider } from '../views/projectsTreeProvider';
import type { Favourites } from '../jobs/favourites';
import { registerCommand } from './registerCommand';

// The commands of the Projects view: refresh, and the context-menu actions on projects,
// targets and problem items.
export function registerProjectCommands(projects: ProjectsTreeProvider, settings: () => Settings, favourites: Favourites): vscode.Disposable[] {
  return [
    registerCommand(CommandIds.refreshProjects, () => projects.refresh()),
    registerCommand(CommandIds.openRegistry, () => openRegistry(settings().registryFile)),
    registerCommand(CommandIds.openProblem, (node: ProblemNode) =>
      openFileAt(node.problem.file, node.problem.line, node.problem.column),
    ),
    registerCommand(CommandIds.openMakefile, (node: ProjectNode | TargetNode) => openMakefile(node, projects)),
    registerCommand(CommandIds.revealInExplorer, (node: ProjectNode) => revealFolder(node.entry.dir)),
    registerCommand(CommandIds.copyCommand, async (node: TargetNode) => {
      const command = await targetCommand(node.entry, node.target.name, [], process.env);
      await vscode.env.clipboard.writeText(displayCommand(command));
      vscode.window.setStatusBarMessage(`Copied: ${displayCommand(command)}`, 3000);
    }),
    registerCommand(CommandIds.pinTarget, (node: TargetNode) => favourites.pin(node.entry.alias, node.target.name)),
    // From a target's menu, or from the palette for any pinned one (also one that is gone).
    registerCommand(CommandIds.unpinTarget, async (node?: TargetNode) => {
      const picked = node
        ? { alias: node.entry.alias, target: node.target.name }
        : (await vscode.window.showQuickPick(favourites.list().map((f) => ({ label: `${f.alias} ${f.target}`, ...f })), { placeHolder: 'Unpin which target?' }));
      if (picked) await favourites.unpin(picked.alias, picked.target);
    }),
  ];
}

// A registry that does not exist yet opens as an unsaved file at its path, so saving creates it.
async function openRegistry(file: string): Promise<void> {
  const uri = vscode.Uri.file(file);
  try {
    await vscode.workspace.fs.stat(uri);
    await vscode.window.showTextDocument(uri);
  } catch {
    const doc = await vscode.workspace.openTextDocument(uri.with({ scheme: 'untitled' }));
    await vscode.window.showTextDocument(doc);
  }
}

async function openMakefile(node: ProjectNode | TargetNode, projects: ProjectsTreeProvider): Promise<void> {
  if (node instanceof TargetNode && node.target.file) {
    await openFileAt(node.target.file, node.target.line);
    return;
  }
  const makefile = projects.makefileOf(node.entry.alias) ?? (await findMakefile(node.entry.dir));
  if (!makefile) throw new Error(`${node.entry.dir} has no Makefile`);
  await openFileAt(makefile);
}

// The Explorer can only reveal what is in the workspace; a project elsewhere is offered as a
// folder to add or open instead.
async function revealFolder(dir: string): Promise<void> {
  const uri = vscode.Uri.file(dir);
  if (vscode.workspace.getWorkspaceFolder(uri)) {
    await vscode.commands.executeCommand('revealInExplorer', uri);
    return;
  }
  const add = 'Add Folder to Workspace';
  const open = 'Open in New Window';
  const choice = await vscode.window.showInformationMessage(`${dir} is not in this workspace.`, add, open);
  if (choice === add) {
    vscode.workspace.updateWorkspaceFolders(vscode.workspace.workspaceFolders?.length ?? 0, 0, { uri });
  } else if (choice === open) {
    await vscode.commands.executeCommand('vscode.openFolder', uri, { forceNewWindow: true });
  }
}
