// The shapes the VMs view is built from: one Environment per environments/<env>/config.yml.

/** One vm-config environment file. */
export interface Environment {
  /** The folder name `<env>`; it wins over metadata.environment. */
  name: string;
  /** Absolute path of the config.yml. */
  file: string;
  template?: string;
  description?: string;
  owner?: string;
  /** metadata.environment when it differs from the folder name (shown, not used). */
  declaredName?: string;
  vms: Vm[];
}

/** One VM of an environment, as Ansible would reach it before ~/.ssh/config applies. */
export interface Vm {
  name: string;
  /** Name of the environment it belongs to. */
  environment: string;
  /** IP address or host name. */
  host: string;
  /** ansible_user, `ubuntu` when not set. */
  user: string;
  vars: Record<string, unknown>;
  /** Absolute path of the environment file. */
  file: string;
  /** 1-based line of the VM's key, to open the file there. */
  line: number;
}

/** How jobs name a VM: `<environment>/<vm>`. */
export function vmId(vm: Pick<Vm, 'environment' | 'name'>): string {
  return `${vm.environment}/${vm.name}`;
}
