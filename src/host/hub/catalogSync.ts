import type { RegistryEntry } from '../../core/mkcli/registry';
import type { TargetListing } from '../../core/mkcli/targets';
import { reachabilityLabel, type Reachability } from '../../core/ssh/reachability';
import { resolveDestination } from '../../core/ssh/resolveDestination';
import type { CatalogReachability, CatalogSnapshot, CatalogTarget, CatalogVm } from '../../shared/catalog';
import type { VmInventory } from '../views/vmsTreeProvider';

/** How long to wait for more discovery before reporting: listings arrive one project at a time. */
const SETTLE_MS = 500;

// Gathers what discovery found — the registry's projects, each project's targets once listed,
// the VMs with their ssh destinations — into one snapshot, and hands it on (to the hub) once
// discovery has settled. Projects whose targets were not listed in this window carry none, so the
// store keeps what it had for them.
export class CatalogSync {
  private projects: RegistryEntry[] | undefined;
  private readonly targets = new Map<string, CatalogTarget[]>();
  private vms: CatalogVm[] | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reachability: (destination: string) => Reachability | undefined = () => undefined;

  constructor(private readonly report: (snapshot: CatalogSnapshot) => void) {}

  /** VMs were checked: the catalog is reported again with what `reachability` says of each. */
  vmsChecked(reachability: (destination: string) => Reachability | undefined): void {
    this.reachability = reachability;
    this.schedule();
  }

  registryRead(entries: readonly RegistryEntry[]): void {
    this.projects = [...entries];
    for (const alias of this.targets.keys()) if (!entries.some((e) => e.alias === alias)) this.targets.delete(alias);
    this.schedule();
  }

  targetsListed(entry: RegistryEntry, listing: TargetListing): void {
    this.targets.set(entry.alias, listing.targets.map((t) => ({ name: t.name, ...(t.description ? { description: t.description } : {}) })));
    this.schedule();
  }

  inventoryRead(inventory: VmInventory): void {
    this.vms = inventory.environments.flatMap((env) =>
      env.vms.map((vm) => {
        const ssh = resolveDestination(vm, inventory.ssh);
        return {
          environment: env.name,
          name: vm.name,
          host: vm.host,
          user: vm.user,
          sshDestination: ssh.destination,
          ...(ssh.matchedHost ? { sshConfigHost: ssh.matchedHost.pattern } : {}),
        };
      }),
    );
    this.schedule();
  }

  dispose(): void {
    clearTimeout(this.timer);
  }

  // Only what was read is reported: without the registry (or the VMs) the store's are kept as
  // they are rather than emptied.
  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (!this.projects || !this.vms) return;
      this.report({
        projects: this.projects.map((e) => ({
          alias: e.alias,
          dir: e.dir,
          ...(e.version ? { version: e.version } : {}),
          ...(this.targets.has(e.alias) ? { targets: this.targets.get(e.alias) } : {}),
        })),
        vms: this.vms.map((vm) => {
          const checked = vm.sshDestination === undefined ? undefined : this.reachability(vm.sshDestination);
          return checked ? { ...vm, reachability: catalogReachability(checked) } : vm;
        }),
      });
    }, SETTLE_MS);
  }
}

function catalogReachability(r: Reachability): CatalogReachability {
  return { reachable: r.state === 'reachable', label: reachabilityLabel(r), ...(r.state === 'unreachable' ? { message: r.message } : {}), checkedAt: r.checkedAt };
}
