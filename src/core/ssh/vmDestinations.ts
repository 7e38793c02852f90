import type { Problem } from '../problem';
import type { Environment } from '../vmconfig/types';
import { sshDestinationProblem, sshFieldProblem } from './destination';
import { resolveDestination } from './resolveDestination';
import type { SshConfig } from './types';

// Keeps the VMs whose SSH destination — as resolved with the user's SSH config, so an alias or a
// User from there counts too — passes the destination check; each other VM becomes an error at
// its line in its config.yml and is shown, run or reported to the hub nowhere.
export function keepReachableVms(environments: readonly Environment[], config: SshConfig): { environments: Environment[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const kept = environments.map((environment) => ({
    ...environment,
    vms: environment.vms.filter((vm) => {
      const ssh = resolveDestination(vm, config);
      const why = sshDestinationProblem(ssh.destination) ?? (ssh.port === undefined ? undefined : portProblem(ssh.port));
      if (why === undefined) return true;
      problems.push({ severity: 'error', message: `VM "${vm.name}": ssh ${JSON.stringify(ssh.destination)} is refused: ${why}.`, file: vm.file, line: vm.line });
      return false;
    }),
  }));
  return { environments: kept, problems };
}

function portProblem(port: number): string | undefined {
  const why = sshFieldProblem('port', String(port));
  return why === undefined ? undefined : `the port ${port} ${why}`;
}
