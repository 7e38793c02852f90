import path from 'node:path';
import * as vscode from 'vscode';
import type { CatalogSync } from './hub/catalogSync';
import type { RegistryEntry } from '../core/mkcli/registry';
import { StaticReaderThread } from '../core/mkcli/staticThread';
import { TargetCache } from '../core/mkcli/targetCache';
import { MAKEFILE_NAMES } from '../core/mkcli/targets';
import { ViewIds } from '../shared/ids';
import { afterActivation } from './afterActivation';
import { registerProjectCommands } from './commands/projectCommands';
import { onSettingsChanged, settings, targetSourceFor } from './config';
import { Favourites } from './jobs/favourites';
import { ProjectsTreeProvider } from './views/projectsTreeProvider';
import { WorkspaceSequences } from './sequences/workspaceSequences';
import { targetDragController } from './views/targetDrag';
import { watchFiles } from './watchFiles';

/** The thread that reads makefiles, beside this bundle (see esbuild.mjs). */
const STATIC_THREAD = path.join(__dirname, 'staticWorker.js');

// Wires the Projects view: the tree, its commands, and the watchers that
// refresh it when the registry or a project's makefiles change.
export function registerProjects(context: vscode.ExtensionContext, catalog: CatalogSync): { projects: ProjectsTreeProvider; targets: TargetCache; sequences: WorkspaceSequences } {
  // Makefiles are read off this thread: one that takes long never freezes the window.
  const reader = new StaticReaderThread(STATIC_THREAD);
  const targets = new TargetCache(() => {
    const s = settings();
    return { env: process.env, timeoutMs: s.listTimeoutMs, source: (entry) => targetSourceFor(s, entry.alias, vscode.workspace.isTrusted), reader };
  }, settings().discoveryConcurrency);
  const makefileWatchers = new Map<string, vscode.Disposable>();
  const favourites = new Favourites(context.globalState);
  const sequences = new WorkspaceSequences();
  const watchProject = (entry: RegistryEntry, files: readonly string[]): void => {
    makefileWatchers.get(entry.alias)?.dispose();
    makefileWatchers.set(
      entry.alias,
      watchFiles(files, () => {
        targets.changed(entry);
        projects.refresh();
      }),
    );
  };
  const projects = new ProjectsTreeProvider(
    settings,
    targets,
    {
      // Watched before the first listing ends: a makefile fixed while a slow listing runs is read again.
      reading: (entry) => {
        if (!makefileWatchers.has(entry.alias)) watchProject(entry, MAKEFILE_NAMES.map((name) => path.join(entry.dir, name)));
      },
      listed: (entry, listing) => {
        watchProject(entry, listing.files);
        catalog.targetsListed(entry, listing);
      },
    },
    favourites,
    sequences,
  );
  // The registry is read again on every refresh; the hub's catalog follows it.
  const registryRead = (): void => void projects.entries().then((registry) => catalog.registryRead(registry.entries));
  afterActivation(registryRead);

  let registryWatcher = watchRegistry(projects);
  context.subscriptions.push(
    projects,
    projects.onDidChangeTreeData(registryRead),
    // Several targets picked together run in sequence.
    vscode.window.createTreeView(ViewIds.projects, { treeDataProvider: projects, showCollapseAll: true, canSelectMany: true, dragAndDropController: targetDragController }),
    favourites,
    sequences,
    favourites.onDidChange(() => projects.redraw()),
    // What a click on a target does is part of its item: drawn again when the setting changes.
    onSettingsChanged('run.clickAction', () => projects.redraw()),
    ...registerProjectCommands(projects, settings, favourites),
    onSettingsChanged('mkcli', () => {
      registryWatcher.dispose();
      registryWatcher = watchRegistry(projects);
      targets.clear();
      projects.refresh();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      targets.clear();
      projects.refresh();
    }),
    { dispose: () => registryWatcher.dispose() },
    { dispose: () => reader.dispose() },
    { dispose: () => makefileWatchers.forEach((w) => w.dispose()) },
  );
  return { projects, targets, sequences };
}

function watchRegistry(projects: ProjectsTreeProvider): vscode.Disposable {
  const s = settings();
  return watchFiles([s.registryFile, ...(s.teamRegistryFile ? [s.teamRegistryFile] : [])], () => projects.refresh());
}
