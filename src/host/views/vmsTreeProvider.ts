import * as vscode from 'vscode';
import type { Problem } from '../../core/problem';
import { allPresets, type LogPreset } from '../../core/logs/presets';
import { effectiveOptions } from '../../core/ssh/effectiveOptions';
import { loadSshConfig } from '../../core/ssh/loadSshConfig';
import { reachabilityLabel, type Reachability } from '../../core/ssh/reachability';
import { resolveDestination } from '../../core/ssh/resolveDestination';
import type { SshConfig, SshDestination } from '../../core/ssh/types';
import { keepReachableVms } from '../../core/ssh/vmDestinations';
import { findEnvironmentFiles } from '../../core/vmconfig/findEnvironmentFiles';
import { loadEnvironments } from '../../core/vmconfig/loadEnvironments';
import { LatestRead } from '../../core/util/latestRead';
import { vmId, type Environment, type Vm } from '../../core/vmconfig/types';
import type { Settings } from '../config';
import { Disposable } from '../disposable';
import { log } from '../logger';
import { CommandIds } from '../../shared/ids';
import { markdownLines, tildify } from './markdown';
import { escapeMarkdown, markdownCode } from './markdownText';
import { ProblemNode } from './problemNode';
import { formatCommand } from '../../shared/format';

/** Everything the VMs view shows, read in one go. */
export interface VmInventory {
  environments: Environment[];
  problems: Problem[];
  ssh: SshConfig;
  /** Every file the inventory was read from, to watch. */
  files: string[];
}

/** An environment: environments/<env>/config.yml. */
export class EnvironmentNode extends vscode.TreeItem {
  constructor(
    readonly environment: Environment,
    readonly problems: Problem[],
  ) {
    super(environment.name, vscode.TreeItemCollapsibleState.Expanded);
    this.id = `env:${environment.file}`;
    this.description = [environment.template, environment.description].filter(Boolean).join(' · ');
    this.contextValue = 'vmoEnvironment';
    this.iconPath = problems.some((p) => p.severity === 'error')
      ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'))
      : new vscode.ThemeIcon('server-environment');
    this.resourceUri = vscode.Uri.file(environment.file);
    this.tooltip = markdownLines([
      `**${escapeMarkdown(environment.name)}**${environment.description ? ` — ${escapeMarkdown(environment.description)}` : ''}`,
      environment.template ? `Template: ${escapeMarkdown(environment.template)}` : '',
      environment.owner ? `Owner: ${escapeMarkdown(environment.owner)}` : '',
      `${environment.vms.length} VM${environment.vms.length === 1 ? '' : 's'} · ${escapeMarkdown(tildify(environment.file))}`,
    ]);
  }
}

/** A VM, labelled with the destination ssh will use. */
export class VmNode extends vscode.TreeItem {
  constructor(
    readonly vm: Vm,
    readonly ssh: SshDestination,
    readonly sshConfigFile: string,
    /** What the last reachability check found, if one ran. */
    readonly reachability?: Reachability,
  ) {
    super(vm.name, vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `vm:${vm.file}:${vm.name}`;
    this.description = ssh.via === 'default' ? `${vm.user}@${vm.host}` : `${ssh.user}@${ssh.hostName} · ssh ${ssh.destination}`;
    this.contextValue = 'vmoVm';
    this.iconPath = reachabilityIcon(reachability);
    this.tooltip = vmTooltip(this);
    // The icon's colour is not all a screen reader says: the state is in the label it reads.
    if (reachability) this.accessibilityInformation = { label: `${vm.name}, ${this.description}, ${reachabilityLabel(reachability)}` };
  }
}

/** A host key problem is for the user to look at (a warning); anything else means no answer (an error). */
function reachabilityIcon(r: Reachability | undefined): vscode.ThemeIcon {
  if (!r) return new vscode.ThemeIcon('vm');
  if (r.state === 'reachable') return new vscode.ThemeIcon('vm-active', new vscode.ThemeColor('testing.iconPassed'));
  const hostKey = r.kind === 'unknown-host-key' || r.kind === 'changed-host-key';
  return new vscode.ThemeIcon('vm-outline', new vscode.ThemeColor(hostKey ? 'problemsWarningIcon.foreground' : 'problemsErrorIcon.foreground'));
}

/** A log source of a VM; a click opens it as a live tab. */
export class LogPresetNode extends vscode.TreeItem {
  constructor(
    readonly vmNode: VmNode,
    readonly preset: LogPreset,
  ) {
    const vm = vmNode.vm;
    super(preset.label, vscode.TreeItemCollapsibleState.None);
    this.id = `log:${vm.file}:${vm.name}:${preset.id}`;
    this.description = preset.detail;
    this.contextValue = 'vmoLogPreset';
    this.iconPath = new vscode.ThemeIcon('output');
    this.tooltip = markdownLines([`**${escapeMarkdown(preset.label)}** on ${escapeMarkdown(vm.name)}`, markdownCode(formatCommand(preset.argv))]);
    this.command = { command: CommandIds.openLogs, title: 'Open Logs', arguments: [this] };
  }
}

type Node = EnvironmentNode | VmNode | LogPresetNode | ProblemNode;

// The VMs view: environments of vm-config, their VMs as ssh will reach them with the user's
// own ~/.ssh/config, and each VM's log sources. getChildren never throws.
export class VmsTreeProvider extends Disposable implements vscode.TreeDataProvider<Node> {
  private readonly changed = this.register(new vscode.EventEmitter<Node | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  // A file change during a slow read leads to a fresh read, and only the newest one is shown.
  private readonly inventory = new LatestRead(
    () => this.read(),
    (inventory) => this.onLoaded(inventory),
  );

  constructor(
    private readonly settings: () => Settings,
    /** Called with each inventory the view shows (not with one read meanwhile superseded). */
    private readonly onLoaded: (inventory: VmInventory) => void,
    /** The last reachability check of a destination, if one ran. */
    private readonly reachability: (destination: string) => Reachability | undefined = () => undefined,
  ) {
    super();
  }

  /** Reads the environments and the SSH config again. */
  refresh(): void {
    this.inventory.invalidate();
    this.changed.fire(undefined);
  }

  /** Draws the VMs again from what was read (their reachability changed). */
  redraw(): void {
    this.changed.fire(undefined);
  }

  load(): Promise<VmInventory> {
    return this.inventory.get();
  }

  getTreeItem(node: Node): vscode.TreeItem {
    return node;
  }

  async getChildren(node?: Node): Promise<Node[]> {
    try {
      if (!node) return await this.rootNodes();
      if (node instanceof EnvironmentNode) return await this.vmNodes(node);
      if (node instanceof VmNode) return allPresets(this.settings().logPresets).presets.map((p) => new LogPresetNode(node, p));
      return [];
    } catch (error) {
      log.error('VMs view', error);
      return [new ProblemNode({ severity: 'error', message: `Cannot list VMs: ${(error as Error).message}`, file: this.settings().sshConfigFile }, 'vms:')];
    }
  }

  // The tooltip with ssh's own effective options is made when the user hovers a VM.
  async resolveTreeItem(item: vscode.TreeItem, node: Node, token: vscode.CancellationToken): Promise<vscode.TreeItem> {
    // `ssh -G` is a program run for the tooltip: not in Restricted Mode.
    if (!(node instanceof VmNode) || !vscode.workspace.isTrusted) return item;
    const s = this.settings();
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    const options = await effectiveOptions(node.ssh.destination, {
      sshBinary: s.sshExecutable,
      ...(s.sshConfigIsCustom ? { configFile: s.sshConfigFile } : {}),
      signal: abort.signal,
      timeoutMs: 5000,
    }).catch(() => undefined);
    item.tooltip = vmTooltip(node, options);
    return item;
  }

  private async rootNodes(): Promise<Node[]> {
    const inventory = await this.load();
    const envFiles = new Set(inventory.environments.map((e) => e.file));
    const loose = inventory.problems.filter((p) => !envFiles.has(p.file));
    const environments = inventory.environments.map(
      (e) => new EnvironmentNode(e, inventory.problems.filter((p) => p.file === e.file)),
    );
    return [...environments, ...loose.map((p) => new ProblemNode(p, 'vms:'))];
  }

  /** Every VM with the destination ssh will use, for pickers. */
  async allVms(): Promise<VmNode[]> {
    const inventory = await this.load();
    const s = this.settings();
    return inventory.environments.flatMap((e) => e.vms.map((vm) => this.vmNode(vm, inventory.ssh, s)));
  }

  /** The VM `<environment>/<vm>` of the workspace's environments, if there is one. */
  async vm(id: unknown): Promise<VmNode | undefined> {
    return (await this.allVms()).find((n) => vmId(n.vm) === id);
  }

  private async vmNodes(node: EnvironmentNode): Promise<Node[]> {
    const inventory = await this.load();
    const s = this.settings();
    const problems = node.problems.map((p) => new ProblemNode(p, `vms:${node.environment.name}:`));
    const vms = node.environment.vms.map((vm) => this.vmNode(vm, inventory.ssh, s));
    return [...problems, ...vms];
  }

  private vmNode(vm: Vm, ssh: SshConfig, s: Settings): VmNode {
    const destination = resolveDestination(vm, ssh);
    return new VmNode(vm, destination, s.sshConfigFile, this.reachability(destination.destination));
  }

  private async read(): Promise<VmInventory> {
    const s = this.settings();
    const roots = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
    const found = await findEnvironmentFiles(roots, s.environmentGlobs);
    const [loaded, ssh] = await Promise.all([loadEnvironments(found.files), loadSshConfig(s.sshConfigFile, { home: s.sshHome })]);
    // A VM whose destination is refused is a problem at its line, never a node that runs ssh.
    const reachable = keepReachableVms(loaded.environments, ssh.config);
    const problems = [...found.problems, ...loaded.problems, ...reachable.problems, ...ssh.problems];
    const vmCount = reachable.environments.reduce((n, e) => n + e.vms.length, 0);
    log.info(`VMs: ${reachable.environments.length} environments, ${vmCount} VMs, ${problems.length} problems`);
    return {
      environments: reachable.environments,
      problems,
      ssh: ssh.config,
      // The config itself even when it does not exist yet: creating it must show its Host blocks.
      files: [...found.files, ...found.problems.map((p) => p.file), ssh.config.file, ...ssh.config.files],
    };
  }
}

function vmTooltip(node: VmNode, effective?: Record<string, string>): vscode.MarkdownString {
  const { vm, ssh } = node;
  const block = ssh.matchedHost
    ? `Host block ${markdownCode(ssh.matchedHost.pattern)} in ${escapeMarkdown(tildify(ssh.matchedHost.file))}, line ${ssh.matchedHost.line}`
    : `No Host block names this VM; ssh connects to ${escapeMarkdown(`${vm.user}@${vm.host}`)}`;
  const lines = [
    `**${escapeMarkdown(vm.name)}** (${escapeMarkdown(vm.environment)})`,
    markdownCode(`ssh ${ssh.destination}`),
    block,
  ];
  if (effective) {
    const keys = ['user', 'hostname', 'port', 'identityfile', 'proxyjump', 'controlmaster'];
    const rows = keys.filter((k) => effective[k] && effective[k] !== 'none').map((k) => `| ${k} | ${escapeMarkdown(effective[k])} |`);
    lines.push(`Effective options (\`ssh -G\`):\n\n| option | value |\n|---|---|\n${rows.join('\n')}`);
  } else {
    lines.push([`User ${ssh.user}`, `HostName ${ssh.hostName}`, ssh.port ? `Port ${ssh.port}` : '', ssh.proxyJump ? `ProxyJump ${ssh.proxyJump}` : '']
      .filter(Boolean)
      .map(escapeMarkdown)
      .join(' · '));
  }
  if (node.reachability) lines.push(reachabilityLine(node.reachability));
  return markdownLines(lines);
}

/** `Reachable in 120 ms, checked at 10:04:05`, or why not. */
function reachabilityLine(r: Reachability): string {
  const label = reachabilityLabel(r);
  const found = `**${label[0]!.toUpperCase()}${label.slice(1)}**${r.state === 'reachable' ? '' : `: ${escapeMarkdown(r.message)}`}`;
  return `${found} (checked at ${new Date(r.checkedAt).toLocaleTimeString()})`;
}
