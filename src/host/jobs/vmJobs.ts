import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { parseArgs } from '../../core/exec/parseArgs';
import { remoteJobInfo } from '../../core/jobs/jobInfo';
import { followerFor } from '../../core/logs/logFollower';
import { commandMismatch, storedRemote } from '../../core/jobs/storedRerun';
import { fillPlaceholders, placeholderNames, presetMatching } from '../../core/logs/placeholders';
import { allPresets, type LogPreset } from '../../core/logs/presets';
import { displayCommand } from '../../core/mkcli/targetCommand';
import { sshCommandLine } from '../../core/ssh/commandLine';
import { sshRemoteArgv } from '../../core/ssh/remoteCommand';
import { listContainers } from '../../core/ssh/remoteContainers';
import type { SshFailure } from '../../core/ssh/remoteFailure';
import type { RemoteJobResult } from '../../core/ssh/remoteJob';
import { startRemoteJob } from '../../core/ssh/remoteJob';
import { logStreamCommand, startLogStream } from '../../core/ssh/logStream';
import { formatCommand, visibleText } from '../../shared/format';
import { vmId } from '../../core/vmconfig/types';
import type { JobInfo } from '../../shared/jobs';
import { sshOptions, type Settings } from '../config';
import type { VmNode, VmsTreeProvider } from '../views/vmsTreeProvider';
import type { ConsoleCallbacks, JobService } from './jobService';
import type { PreparedRerun } from './storedReruns';

// Jobs on VMs: a log preset as a live tab (kind `ssh-logs`), a command line (kind
// `remote-command`), and an SSH terminal. All go through the system ssh with the user's own
// config; host-key problems end the job and are explained with a way to fix them.
export class VmJobs {
  constructor(
    private readonly jobs: JobService,
    private readonly settings: () => Settings,
  ) {}

  /** Opens a VM's log preset as a tab that streams live and reconnects. */
  async openLogs(node: VmNode, preset: LogPreset): Promise<JobInfo | undefined> {
    const values = await this.askPlaceholders(node, preset);
    if (!values) return undefined;
    return this.streamLogs(node, preset, fillPlaceholders(preset.argv, values));
  }

  /** Asks for a command line and runs it on the VM, output in a console tab. */
  async runCommand(node: VmNode): Promise<JobInfo | undefined> {
    const text = await vscode.window.showInputBox({
      title: `Run Command on ${node.vm.name}`,
      prompt: `Runs over ssh ${node.ssh.destination}; split like shell words, run with sh -c on the VM. Pipes and ; are refused: name one program and its arguments.`,
      placeHolder: 'systemctl status nginx',
      validateInput: (value) => {
        try {
          return parseArgs(value).length === 0 ? 'Type a command' : undefined;
        } catch (error) {
          return (error as Error).message;
        }
      },
    });
    if (!text) return undefined;
    return this.runArgv(node, parseArgs(text));
  }

  /** A native terminal running `ssh <destination>`: the place to verify and accept a host key. */
  openTerminal(node: VmNode): void {
    const s = this.settings();
    const line = sshCommandLine(node.ssh.destination, s.sshConfigIsCustom ? s.sshConfigFile : undefined);
    const terminal = vscode.window.createTerminal({
      name: `ssh ${node.vm.name}`,
      shellPath: s.sshExecutable,
      shellArgs: line.argv.slice(1),
      iconPath: new vscode.ThemeIcon('remote'),
    });
    terminal.show();
  }

  /**
   * Rebuilds a stored job on a VM (a log stream or a command) as a click here would start it: the
   * VM from this workspace's environments, a log command only when it is one of this window's
   * presets, and the ssh argv built with this window's settings, which must be the stored one.
   */
  async prepareStored(job: JobInfo, vms: VmsTreeProvider): Promise<PreparedRerun> {
    const { kind, vm, remoteArgv } = storedRemote(job);
    const node = await vms.vm(vm);
    if (!node) throw new Error(`The VM ${visibleText(vm)} is not in this workspace's environments, so nothing is run on it.`);
    const preset = kind === 'ssh-logs' ? presetMatching(allPresets(this.settings().logPresets).presets, remoteArgv) : undefined;
    if (kind === 'ssh-logs' && !preset) {
      throw new Error(`The log command \`${formatCommand(remoteArgv)}\` is none of the log presets of this window, so it is not run.`);
    }
    // The argv names the job's id (the tag of its processes on the VM): the stored one is checked
    // against its own id, and the new job's, with the id it will have, is what the user confirms.
    const argvFor = (id: string): string[] => sshRemoteArgv(node.ssh.destination, onVm(kind, remoteArgv), sshOptions(this.settings()), id);
    const what = `${vm}: ${displayCommand({ file: remoteArgv[0], args: remoteArgv.slice(1) })}`;
    const mismatch = commandMismatch(job.argv, argvFor(job.id), what);
    if (mismatch) throw new Error(mismatch);
    const id = randomUUID();
    return {
      what: `${preset ? preset.label : 'a command'} on ${vm}`,
      argv: argvFor(id),
      args: remoteArgv,
      place: `On ${vm} over ssh ${node.ssh.destination}, in a console tab.`,
      start: () => (preset ? this.streamLogs(node, preset, remoteArgv, undefined, id) : this.runArgv(node, remoteArgv, undefined, id)),
    };
  }

  private runArgv(node: VmNode, remoteArgv: string[], replacing?: string, id = randomUUID()): JobInfo {
    const options = sshOptions(this.settings());
    const job = remoteJobInfo({
      id,
      kind: 'remote-command',
      title: `${node.vm.name}: ${formatCommand(remoteArgv)}`,
      argv: sshRemoteArgv(node.ssh.destination, remoteArgv, options, id),
      remoteArgv,
      vm: vmId(node.vm),
    });
    const start = (callbacks: ConsoleCallbacks) => {
      const running = startRemoteJob(node.ssh.destination, remoteArgv, { ...options, ...callbacks, tag: job.id, onExit: undefined });
      void running.done.then((result) => this.ended(node, result, callbacks, 'run the command again'));
      return running;
    };
    return this.jobs.launch(job, start, async (old) => this.runArgv(node, remoteArgv, old), replacing);
  }

  private streamLogs(node: VmNode, preset: LogPreset, argv: string[], replacing?: string, id = randomUUID()): JobInfo {
    const job = remoteJobInfo({
      id,
      kind: 'ssh-logs',
      title: `${node.vm.name} · ${preset.label}`,
      argv: sshRemoteArgv(node.ssh.destination, onVm('ssh-logs', argv), sshOptions(this.settings()), id),
      remoteArgv: argv,
      vm: vmId(node.vm),
    });
    const rerun = async (old: string): Promise<JobInfo> => this.streamLogs(node, preset, argv, old);
    return this.jobs.launch(job, (callbacks) => this.stream(node, argv, job.id, callbacks), rerun, replacing);
  }

  private stream(node: VmNode, argv: string[], jobId: string, callbacks: ConsoleCallbacks) {
    const running = startLogStream(node.ssh.destination, followerFor(argv), { ...sshOptions(this.settings()), ...callbacks, tag: jobId, onExit: undefined });
    void running.done.then((result) => this.ended(node, result, callbacks, 'open the log again'));
    return running;
  }

  // Ends the job and, when ssh itself failed, says why and what to do about it.
  private ended(node: VmNode, result: RemoteJobResult, callbacks: ConsoleCallbacks, retry: string): void {
    callbacks.onExit(result);
    if (result.sshFailure) void this.explain(node, result.sshFailure, retry);
  }

  /** Says why ssh failed; `retry` is what to do once a new host key is accepted: "run the command again". */
  private async explain(node: VmNode, failure: SshFailure, retry: string): Promise<void> {
    const open = 'Open SSH Terminal';
    switch (failure.kind) {
      case 'unknown-host-key':
        if (
          (await vscode.window.showWarningMessage(
            `${node.vm.name}: the host key of ${failure.host} is not known yet. Connect once in an SSH terminal, check the fingerprint and accept it; then ${retry}.`,
            open,
          )) === open
        ) {
          this.openTerminal(node);
        }
        return;
      case 'changed-host-key':
        void vscode.window.showErrorMessage(`${node.vm.name}: the host key of ${failure.host} has CHANGED — ssh refused to connect.`, {
          modal: true,
          detail: failure.warning,
        });
        return;
      case 'permission-denied':
        void vscode.window.showErrorMessage(`${node.vm.name}: permission denied for ${node.ssh.destination}. Check User and IdentityFile in your SSH config, or your agent.`);
        return;
      default:
        return;
    }
  }

  // Fills `${container}` from `docker ps` on the VM, and any other placeholder from an input box.
  private async askPlaceholders(node: VmNode, preset: LogPreset): Promise<Record<string, string> | undefined> {
    const values: Record<string, string> = {};
    for (const name of placeholderNames(preset.argv)) {
      const value = name === 'container' ? await this.pickContainer(node) : await vscode.window.showInputBox({ title: `${preset.label} on ${node.vm.name}`, prompt: `Value for \${${name}}` });
      if (!value) return undefined;
      values[name] = value;
    }
    return values;
  }

  private async pickContainer(node: VmNode): Promise<string | undefined> {
    const listed = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Listing containers on ${node.vm.name}…`, cancellable: true },
      (_, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        return listContainers(node.ssh.destination, { ...sshOptions(this.settings()), timeoutMs: 20_000, signal: abort.signal });
      },
    );
    if ('error' in listed) {
      if (listed.canceled) return undefined;
      if (listed.sshFailure) await this.explain(node, listed.sshFailure, 'open the log again to list its containers');
      else void vscode.window.showErrorMessage(`${node.vm.name}: cannot list containers: ${listed.error}`);
      return undefined;
    }
    if (listed.names.length === 0) {
      void vscode.window.showInformationMessage(`No container is running on ${node.vm.name}.`);
      return undefined;
    }
    return vscode.window.showQuickPick(listed.names, { title: `docker logs on ${node.vm.name}`, placeHolder: 'Pick a container' });
  }
}

// What a job runs on the VM, as its record shows it: a log preset's first connection (the stream's
// header, then the follower's command, see logStream.ts), or a command as it is.
function onVm(kind: 'ssh-logs' | 'remote-command', remoteArgv: string[]): string[] {
  return kind === 'ssh-logs' ? logStreamCommand(followerFor(remoteArgv)) : remoteArgv;
}
