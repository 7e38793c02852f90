import * as vscode from 'vscode';
import { TargetCache } from '../core/mkcli/targetCache';
import { ViewIds } from '../shared/ids';
import { registerProjectCommands } from './commands/projectCommands';
import { onSettingsChanged, settings } from './config';
import { ProjectsTreeProvider } from './views/projectsTreeProvider';
import { watchFiles } from './watchFiles';

// Wires the Projects view: the tree, its commands, and the watchers that
// refresh it when the registry or a project's makefiles change.
export function registerProjects(context: vscode.ExtensionContext): { projects: ProjectsTreeProvider; targets: TargetCache } {
  const targets = new TargetCache(() => ({ env: process.env, timeoutMs: settings().listTimeoutMs }), settings().discoveryConcurrency);
  const makefileWatchers = new Map<string, vscode.Disposable>();
  const projects = new ProjectsTreeProvider(settings, targets, (entry, listing) => {
    makefileWatchers.get(entry.alias)?.dispose();
    makefileWatchers.set(entry.alias, watchFiles([...listing.files], () => projects.refresh()));
  });

  let registryWatcher = watchRegistry(projects);
  context.subscriptions.push(
    projects,
    vscode.window.createTreeView(ViewIds.projects, { treeDataProvider: projects, showCollapseAll: true }),
    ...registerProjectCommands(projects, settings),
    onSettingsChanged('mkcli', () => {
      registryWatcher.dispose();
      registryWatcher = watchRegistry(projects);
      targets.clear();
      projects.refresh();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => projects.refresh()),
    { dispose: () => registryWatcher.dispose() },
    { dispose: () => makefileWatchers.forEach((w) => w.dispose()) },
  );
  return { projects, targets };
}

function watchRegistry(projects: ProjectsTreeProvider): vscode.Disposable {
  const s = settings();
  return watchFiles([s.registryFile, ...(s.teamRegistryFile ? [s.teamRegistryFile] : [])], () => projects.refresh());
}
