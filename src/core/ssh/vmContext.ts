import { vmId, type Vm } from '../vmconfig/types';
import type { SshDestination } from './types';

/** A target about to run for one VM: which VM, and what its process is told of it. */
export interface VmContext {
  /** `<environment>/<vm>`, as jobs on VMs are stored. */
  id: string;
  /** The VM's name, for titles. */
  name: string;
  /** The variables added to the target's environment. */
  env: Record<string, string>;
  /** VM vars that could not become variables, with why (shown in the job's log). */
  skipped: string[];
}

/** The prefix of a VM var's name in the environment: a config.yml never sets PATH or LD_PRELOAD. */
export const VM_VAR_PREFIX = 'VMO_VAR_';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

// What a target run "on a VM" is told of it: the VM as config.yml names it and as ssh reaches
// it (user, host and port after the SSH config applied, and the destination VM Orchestrator
// itself passes to ssh), the SSH config that was read, and each of the VM's vars as
// VMO_VAR_<name> (lists and mappings as JSON). The target runs on this machine; reaching the
// VM is up to it, e.g. `ssh -F "$VMO_SSH_CONFIG" "$VMO_SSH_DEST" …`.
export function vmContext(vm: Vm, ssh: SshDestination, sshConfigFile: string): VmContext {
  const env: Record<string, string> = {
    VMO_VM: vm.name,
    VMO_ENV: vm.environment,
    VMO_HOST: ssh.hostName,
    VMO_USER: ssh.user,
    VMO_PORT: String(ssh.port ?? 22),
    VMO_SSH_DEST: ssh.destination,
    VMO_SSH_CONFIG: sshConfigFile,
  };
  const skipped: string[] = [];
  for (const [name, value] of Object.entries(vm.vars)) {
    const text = varText(value);
    if (!ENV_NAME.test(name)) skipped.push(`${JSON.stringify(name)} is not a variable name`);
    else if (text === undefined) skipped.push(`${name} has no value`);
    else if (text.includes('\0')) skipped.push(`${name} holds a NUL byte`);
    else env[`${VM_VAR_PREFIX}${name}`] = text;
  }
  return { id: vmId(vm), name: vm.name, env, skipped };
}

function varText(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** The whole environment of a target run for `vm`: ours with its context added; undefined (ours) without one. */
export function vmEnvironment(vm: VmContext | undefined, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv | undefined {
  return vm ? { ...base, ...vm.env } : undefined;
}

/** What the job's log says of the VM context, so that what the target was told is on record. */
export function vmContextNotes(vm: VmContext | undefined): string[] {
  if (!vm) return [];
  const vars = Object.keys(vm.env).filter((name) => name.startsWith(VM_VAR_PREFIX));
  const more = vars.length > 0 ? `, and ${vars.join(' ')}` : '';
  return [
    `for VM ${vm.id} · VMO_SSH_DEST=${vm.env.VMO_SSH_DEST} VMO_USER=${vm.env.VMO_USER} VMO_HOST=${vm.env.VMO_HOST} VMO_PORT=${vm.env.VMO_PORT}${more}`,
    ...vm.skipped.map((why) => `VM var left out of the environment: ${why}`),
  ];
}
