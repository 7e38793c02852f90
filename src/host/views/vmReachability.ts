import * as vscode from 'vscode';
import { ReachabilityChecker, type Reachability } from '../../core/ssh/reachability';
import type { Settings } from '../config';
import { Disposable } from '../disposable';
import type { VmNode } from './vmsTreeProvider';

/** How often the VMs are checked while the view is visible. */
const INTERVAL_MS = 5 * 60_000;
/** VMs checked at once. */
const CONCURRENCY = 4;
/** Checks end a few at a time: those that end this close together are told of once. */
const CHANGE_MS = 150;

// Whether each VM answers over ssh, for the VMs view: checked on demand (Check VMs), and every
// few minutes while the view is visible. Never in Restricted Mode: ssh runs what the user's SSH
// config says (ProxyCommand, Match exec), as `ssh -G` for the tooltip does not there either.
export class VmReachability extends Disposable {
  private readonly checker: ReachabilityChecker;
  private timer: NodeJS.Timeout | undefined;
  private changeTimer: NodeJS.Timeout | undefined;
  private visible = false;
  private lastRun = 0;
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  /** Checks ended with new states. */
  readonly onDidChange = this.changed.event;

  constructor(
    settings: () => Settings,
    private readonly vms: () => Promise<VmNode[]>,
  ) {
    super();
    this.checker = new ReachabilityChecker(() => {
      const s = settings();
      return { sshBinary: s.sshExecutable, ...(s.sshConfigIsCustom ? { configFile: s.sshConfigFile } : {}) };
    }, CONCURRENCY);
    this.register({ dispose: () => (clearTimeout(this.timer), clearTimeout(this.changeTimer)) });
  }

  get(destination: string): Reachability | undefined {
    return this.checker.get(destination);
  }

  /** Checks every VM of the view (each destination once); false in Restricted Mode, where none is. */
  async checkAll(): Promise<boolean> {
    if (!vscode.workspace.isTrusted) return false;
    this.lastRun = Date.now();
    const destinations = [...new Set((await this.vms()).map((node) => node.ssh.destination))];
    await Promise.all(destinations.map((d) => this.checker.check(d).then(() => this.checked())));
    return true;
  }

  private checked(): void {
    this.changeTimer ??= setTimeout(() => {
      this.changeTimer = undefined;
      this.changed.fire();
    }, CHANGE_MS);
  }

  /** While the view is visible the VMs are checked every INTERVAL_MS, at once if that is due. */
  setVisible(visible: boolean): void {
    this.visible = visible;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!visible) return;
    const due = Math.max(0, this.lastRun + INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => {
      void this.checkAll().finally(() => this.setVisible(this.visible));
    }, due);
  }
}
