import type { RegistryEntry } from '../../core/mkcli/registry';
import type { TargetCache } from '../../core/mkcli/targetCache';
import { vmContext, type VmContext } from '../../core/ssh/vmContext';
import type { ProjectsTreeProvider } from '../views/projectsTreeProvider';
import type { VmsTreeProvider } from '../views/vmsTreeProvider';

/** Where a target named from elsewhere is looked up: the registry, the projects' listings, the workspace's VMs. */
export interface TargetSources {
  projects: ProjectsTreeProvider;
  targets: TargetCache;
  vms: VmsTreeProvider;
}

// A target named from outside this window's views (an operator through the hub, a workspace
// file): it runs only when its project is in the registry, the project lists it now, and its VM
// (if any) is one of the workspace's — else the reason, in words.
export async function listedTarget(sources: TargetSources, named: { alias: string; target: string; vm?: string }): Promise<{ entry: RegistryEntry; vm?: VmContext } | { error: string }> {
  const entry = (await sources.projects.entries()).entries.find((e) => e.alias === named.alias);
  if (!entry) return { error: `the project ${named.alias} is not in the mkcli registry` };
  const listing = await sources.targets.get(entry);
  if (!listing.targets.some((t) => t.name === named.target)) return { error: `${named.alias} lists no target ${named.target}` };
  const node = named.vm === undefined ? undefined : await sources.vms.vm(named.vm);
  if (named.vm !== undefined && !node) return { error: `the VM ${named.vm} is not in this workspace's environments` };
  return { entry, ...(node ? { vm: vmContext(node.vm, node.ssh, node.sshConfigFile) } : {}) };
}
