import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { JobInfo, JobMode } from '../../shared/jobs';
import type { Command } from '../mkcli/makeCommand';

/** A target about to run, as the user asked for it and as it will be spawned. */
export interface TargetRun {
  alias: string;
  target: string;
  /** The extra arguments the user gave. */
  args: readonly string[];
  /** What will be spawned, from targetCommand(). */
  command: Command;
  cwd?: string;
  mode: JobMode;
  /** The VM it runs for (with that VM's context in its environment): `<environment>/<vm>` and its name. */
  vm?: { id: string; name: string };
  /** The job it is part of. */
  parentId?: string;
}

// The record of a target's job at its start: a new id, this machine, status `running`.
export function targetJobInfo(run: TargetRun): JobInfo {
  return {
    id: randomUUID(),
    kind: 'target',
    mode: run.mode,
    title: run.vm ? `${run.alias} ${run.target} on ${run.vm.name}` : `${run.alias} ${run.target}`,
    argv: [run.command.file, ...run.command.args],
    ...(run.cwd !== undefined ? { cwd: run.cwd } : {}),
    alias: run.alias,
    target: run.target,
    args: [...run.args],
    ...(run.vm ? { vm: run.vm.id } : {}),
    ...(run.parentId ? { parentId: run.parentId } : {}),
    hostname: os.hostname(),
    startedAt: Date.now(),
    status: 'running',
  };
}

/** A command or log stream about to run on a VM over ssh. */
export interface RemoteRun {
  /** The job's id: the tag its processes on the VM carry, which its argv names (remoteShellCommand). */
  id: string;
  kind: 'ssh-logs' | 'remote-command';
  title: string;
  /** The ssh argv that will be spawned. */
  argv: readonly string[];
  /** The command on the VM, that the ssh argv carries quoted for its shell. */
  remoteArgv: readonly string[];
  /** `<environment>/<vm>`. */
  vm: string;
}

// The record of a remote job at its start: a new id, this machine, status `running`, in the console.
export function remoteJobInfo(run: RemoteRun): JobInfo {
  return {
    id: run.id,
    kind: run.kind,
    mode: 'console',
    title: run.title,
    argv: [...run.argv],
    args: [...run.remoteArgv],
    vm: run.vm,
    hostname: os.hostname(),
    startedAt: Date.now(),
    status: 'running',
  };
}
