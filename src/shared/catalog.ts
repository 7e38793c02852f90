// What discovery found on the user's machine — mkcli projects with their make targets, and
// vm-config VMs — as a window reports it to the hub, which stores it so that jobs link to it.

/** A make target (a mkcli Target fits; only these fields are kept). */
export interface CatalogTarget {
  name: string;
  description?: string;
}

/** A project as the mkcli registry lists it (a RegistryEntry fits). */
export interface CatalogProject {
  alias: string;
  /** Absolute path of the Makefile folder. */
  dir: string;
  version?: string;
  /**
   * Its targets in the order they were listed. Absent when this window has not listed them (they
   * are listed lazily): the targets stored earlier are kept. `[]` means it has none.
   */
  targets?: CatalogTarget[];
}

/** What a window's last check of a VM found (`ssh -o BatchMode=yes <dest> true`). */
export interface CatalogReachability {
  reachable: boolean;
  /** A few words: `reachable in 120 ms`, `refused`, `changed host key` … */
  label: string;
  /** Why it is not reachable, in ssh's words. */
  message?: string;
  /** Epoch milliseconds. */
  checkedAt: number;
}

/** A VM as vm-config describes it (a vmconfig Vm fits), with how ssh reaches it when known. */
export interface CatalogVm {
  environment: string;
  name: string;
  host: string;
  user: string;
  /** What is passed to ssh, e.g. `deploy@10.0.0.5` or a Host alias. */
  sshDestination?: string;
  /** The `Host` block of the ssh config that matched, if any. */
  sshConfigHost?: string;
  /** Absent when this window has not checked it: the state stored earlier is kept. */
  reachability?: CatalogReachability;
}

/** Everything discovery saw at once: the store's catalog is made equal to it. */
export interface CatalogSnapshot {
  projects: CatalogProject[];
  vms: CatalogVm[];
}
