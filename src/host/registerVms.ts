import * as vscode from 'vscode';
import type { CatalogSync } from './hub/catalogSync';
import { ViewIds } from '../shared/ids';
import { registerVmCommands } from './commands/vmCommands';
import type { VmJobs } from './jobs/vmJobs';
import { onSettingsChanged, settings } from './config';
import { VmsTreeProvider } from './views/vmsTreeProvider';
import { watchFiles } from './watchFiles';

// Wires the VMs view: the tree, its commands, and watchers on the environment files, the SSH
// config and every file it includes.
export function registerVms(context: vscode.ExtensionContext, vmJobs: VmJobs, catalog: CatalogSync): VmsTreeProvider {
  let inputWatcher: vscode.Disposable | undefined;
  const vms = new VmsTreeProvider(settings, (inventory) => {
    inputWatcher?.dispose();
    inputWatcher = watchFiles(inventory.files, () => vms.refresh());
    catalog.inventoryRead(inventory);
  });
  // New environment files anywhere in the workspace.
  const environments = vscode.workspace.createFileSystemWatcher('**/environments/*/config.{yml,yaml}');
  const refresh = (): void => vms.refresh();
  context.subscriptions.push(
    vms,
    vscode.window.createTreeView(ViewIds.vms, { treeDataProvider: vms, showCollapseAll: true }),
    environments,
    environments.onDidCreate(refresh),
    environments.onDidDelete(refresh),
    environments.onDidChange(refresh),
    vscode.workspace.onDidChangeWorkspaceFolders(refresh),
    onSettingsChanged('vmConfig', refresh),
    onSettingsChanged('ssh', refresh),
    onSettingsChanged('logs', refresh),
    ...registerVmCommands(vms, settings, vmJobs),
    { dispose: () => inputWatcher?.dispose() },
  );
  return vms;
}
