import * as vscode from 'vscode';
import type { CatalogSync } from './hub/catalogSync';
import { CommandIds, ViewIds } from '../shared/ids';
import { registerCommand } from './commands/registerCommand';
import { registerVmCommands } from './commands/vmCommands';
import type { VmJobs } from './jobs/vmJobs';
import { onSettingsChanged, settings } from './config';
import { targetDropController } from './views/targetDrag';
import { VmReachability } from './views/vmReachability';
import { VmsTreeProvider } from './views/vmsTreeProvider';
import { watchFiles } from './watchFiles';

// Wires the VMs view: the tree, its commands, whether each VM answers, and watchers on the
// environment files, the SSH config and every file it includes.
export function registerVms(context: vscode.ExtensionContext, vmJobs: VmJobs, catalog: CatalogSync): VmsTreeProvider {
  // Until a read ends, the SSH config itself is watched: fixing a config whose read went wrong
  // must bring the view back. Each read then watches every file it read.
  let inputWatcher = watchFiles([settings().sshConfigFile], () => vms.refresh());
  const reachability: VmReachability = new VmReachability(settings, () => vms.allVms());
  const vms: VmsTreeProvider = new VmsTreeProvider(
    settings,
    (inventory) => {
      inputWatcher.dispose();
      inputWatcher = watchFiles(inventory.files, () => vms.refresh());
      catalog.inventoryRead(inventory);
    },
    (destination: string) => reachability.get(destination),
  );
  const view = vscode.window.createTreeView(ViewIds.vms, { treeDataProvider: vms, showCollapseAll: true, dragAndDropController: targetDropController });
  // New environment files anywhere in the workspace.
  const environments = vscode.workspace.createFileSystemWatcher('**/environments/*/config.{yml,yaml}');
  const refresh = (): void => vms.refresh();
  context.subscriptions.push(
    vms,
    view,
    reachability,
    reachability.onDidChange(() => {
      vms.redraw();
      catalog.vmsChecked((destination) => reachability.get(destination));
    }),
    view.onDidChangeVisibility((e) => reachability.setVisible(e.visible)),
    vscode.workspace.onDidGrantWorkspaceTrust(() => reachability.setVisible(view.visible)),
    registerCommand(CommandIds.checkVms, () => checkVms(reachability)),
    environments,
    environments.onDidCreate(refresh),
    environments.onDidDelete(refresh),
    environments.onDidChange(refresh),
    vscode.workspace.onDidChangeWorkspaceFolders(refresh),
    onSettingsChanged('vmConfig', refresh),
    onSettingsChanged('ssh', refresh),
    onSettingsChanged('logs', refresh),
    ...registerVmCommands(vms, settings, vmJobs),
    { dispose: () => inputWatcher.dispose() },
  );
  reachability.setVisible(view.visible);
  return vms;
}

async function checkVms(reachability: VmReachability): Promise<void> {
  const checked = await vscode.window.withProgress({ location: { viewId: ViewIds.vms }, title: 'Checking VMs' }, () => reachability.checkAll());
  if (!checked) void vscode.window.showInformationMessage('VMs are not checked in Restricted Mode: ssh would run what your SSH config says. Trust the workspace to check them.');
}
