import { computeSshOptions, expandHostName, type ComputedSshOptions } from './computeOptions';
import { isExactPattern } from './patterns';
import type { SshConfig, SshDestination, SshHostRef } from './types';

/** What resolveDestination needs of a VM. */
export interface VmAddress {
  name: string;
  host: string;
  user: string;
}

// Maps a VM to the SSH destination it will use. A Host block with an exact pattern equal to the
// VM's name, then to its host, wins ('alias'); else a Host block whose HostName is the VM's host
// ('hostname'); the alias is then the destination, with the user's User, Port, IdentityFile and
// ProxyJump. When the config gives the alias no User, ansible_user is put in front (`user@alias`),
// as Ansible would connect. Otherwise the destination is `ansible_user@host` ('default'), to which
// wildcard blocks still apply. Never throws.
export function resolveDestination(vm: VmAddress, config: SshConfig): SshDestination {
  const alias = findAlias(vm, config);
  if (alias) {
    const computed = computeSshOptions(config, alias.ref.pattern);
    const configUser = first(computed, 'user');
    if (configUser !== undefined) {
      return describe(alias.ref.pattern, alias.ref.pattern, configUser, computed, alias.via, alias.ref);
    }
    const withUser = computeSshOptions(config, alias.ref.pattern, { user: vm.user });
    return describe(`${vm.user}@${alias.ref.pattern}`, alias.ref.pattern, vm.user, withUser, alias.via, alias.ref);
  }
  const computed = computeSshOptions(config, vm.host, { user: vm.user });
  return describe(`${vm.user}@${vm.host}`, vm.host, vm.user, computed, 'default');
}

function findAlias(vm: VmAddress, config: SshConfig): { ref: SshHostRef; via: 'alias' | 'hostname' } | undefined {
  for (const wanted of [vm.name, vm.host]) {
    for (const block of config.hosts) {
      if (block.patterns.some((p) => isExactPattern(p) && p === wanted)) {
        return { ref: { pattern: wanted, file: block.file, line: block.line }, via: 'alias' };
      }
    }
  }
  const host = vm.host.toLowerCase();
  for (const block of config.hosts) {
    if (block.hostName === undefined) continue;
    const pattern = block.patterns.find(isExactPattern);
    if (pattern === undefined || expandHostName(block.hostName, pattern).toLowerCase() !== host) continue;
    // An earlier block may set another HostName for this alias: check what ssh will really use.
    const computed = computeSshOptions(config, pattern);
    if (expandHostName(first(computed, 'hostname'), pattern).toLowerCase() === host) {
      return { ref: { pattern, file: block.file, line: block.line }, via: 'hostname' };
    }
  }
  return undefined;
}

function describe(
  destination: string,
  hostArg: string,
  user: string,
  computed: ComputedSshOptions,
  via: SshDestination['via'],
  matchedHost?: SshHostRef,
): SshDestination {
  const result: SshDestination = {
    destination,
    appliedHosts: computed.hosts,
    user,
    hostName: expandHostName(first(computed, 'hostname'), hostArg).toLowerCase(),
    via,
  };
  if (matchedHost) result.matchedHost = matchedHost;
  const port = first(computed, 'port');
  if (port !== undefined) result.port = Number(port);
  const identityFile = first(computed, 'identityfile');
  if (identityFile !== undefined) result.identityFile = identityFile;
  const proxyJump = first(computed, 'proxyjump');
  if (proxyJump !== undefined && proxyJump.toLowerCase() !== 'none') result.proxyJump = proxyJump;
  return result;
}

function first(computed: ComputedSshOptions, keyword: string): string | undefined {
  return computed.options.get(keyword)?.[0]?.value;
}
