import * as vscode from 'vscode';
import { sshCommandLine } from '../../core/ssh/commandLine';
import { CommandIds } from '../../shared/ids';
import type { Settings } from '../config';
import { openFileAt } from '../views/problemNode';
import type { VmJobs } from '../jobs/vmJobs';
import { EnvironmentNode, VmNode, type LogPresetNode, type VmsTreeProvider } from '../views/vmsTreeProvider';
import { registerCommand, registerRunCommand } from './registerCommand';
import { STEP } from './pickSteps';

// The commands of the VMs view.
export function registerVmCommands(vms: VmsTreeProvider, settings: () => Settings, vmJobs: VmJobs): vscode.Disposable[] {
  // From the palette there is no VM node: the user picks one.
  const vmOf = async (node: VmNode | undefined): Promise<VmNode | undefined> => node ?? (await pickVm(vms));
  return [
    registerRunCommand(CommandIds.openLogs, (node: LogPresetNode) => vmJobs.openLogs(node.vmNode, node.preset)),
    registerRunCommand(CommandIds.runCommandOnVm, async (node?: VmNode) => {
      const vm = await vmOf(node);
      if (vm) await vmJobs.runCommand(vm);
    }),
    registerRunCommand(CommandIds.openSshTerminal, async (node?: VmNode) => {
      const vm = await vmOf(node);
      if (vm) vmJobs.openTerminal(vm);
    }),
    registerCommand(CommandIds.refreshVms, () => vms.refresh()),
    registerCommand(CommandIds.copySshCommand, async (node: VmNode) => {
      const s = settings();
      const line = sshCommandLine(node.ssh.destination, s.sshConfigIsCustom ? s.sshConfigFile : undefined);
      await vscode.env.clipboard.writeText(line.display);
      vscode.window.setStatusBarMessage(`Copied: ${line.display}`, 3000);
    }),
    registerCommand(CommandIds.openEnvironmentFile, (node: EnvironmentNode | VmNode) =>
      node instanceof VmNode ? openFileAt(node.vm.file, node.vm.line) : openFileAt(node.environment.file),
    ),
    registerCommand(CommandIds.openSshConfig, async (node: VmNode) => {
      const block = node.ssh.matchedHost;
      if (block) {
        await openFileAt(block.file, block.line);
        return;
      }
      await openFileAt(node.sshConfigFile);
      vscode.window.showInformationMessage(
        `No Host block names ${node.vm.name} or ${node.vm.host}; add one to set its User, Port or ProxyJump.`,
      );
    }),
    registerCommand(CommandIds.createEnvironment, createEnvironment),
  ];
}

/** Asks for one of the workspace's VMs; undefined when the user pressed Escape or there is none. */
export async function pickVm(vms: VmsTreeProvider, placeHolder = 'Pick a VM'): Promise<VmNode | undefined> {
  const all = await vms.allVms();
  if (all.length === 0) {
    void vscode.window.showInformationMessage('No VMs: add an environments/<env>/config.yml to the workspace.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    all.map((node) => ({ label: node.vm.name, description: `${node.vm.environment} · ${String(node.description)}`, node })),
    { ...STEP, placeHolder, matchOnDescription: true },
  );
  return picked?.node;
}

// Creates environments/<name>/config.yml in a workspace folder from vm-config's shape and
// opens it; the file watcher then shows it in the tree.
async function createEnvironment(): Promise<void> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    const open = 'Open Folder';
    if ((await vscode.window.showInformationMessage('Open the folder of your infrastructure first.', open)) === open) {
      await vscode.commands.executeCommand('workbench.action.files.openFolder');
    }
    return;
  }
  const folder = folders.length === 1 ? folders[0] : await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Where to create the environment' });
  if (!folder) return;
  const name = await vscode.window.showInputBox({
    title: 'Create vm-config Environment',
    prompt: 'Environment name (a folder under environments/)',
    placeHolder: 'staging',
    validateInput: (v) => (/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(v) ? undefined : 'Letters, digits, ".", "_" and "-", starting with a letter or digit'),
  });
  if (!name) return;
  const uri = vscode.Uri.joinPath(folder.uri, 'environments', name, 'config.yml');
  try {
    await vscode.workspace.fs.stat(uri);
    throw new Error(`${vscode.workspace.asRelativePath(uri)} already exists`);
  } catch (error) {
    if (!(error instanceof vscode.FileSystemError)) throw error;
  }
  const text = [
    `template: ubuntu-22.04`,
    `metadata:`,
    `  description: ${name} environment`,
    `  owner: ${process.env.USER ?? 'me'}`,
    `  environment: ${name}`,
    `vms:`,
    `  web-1:`,
    `    host: 192.0.2.10`,
    `    ansible_user: ubuntu`,
    `    vars: {}`,
    ``,
  ].join('\n');
  await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
  await openFileAt(uri.fsPath, 7, 3);
}
