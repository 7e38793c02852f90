// The parsed ~/.ssh/config, with Include expanded in place and every line's file and line kept.

/** Where a line of an SSH config is. */
export interface SshLocation {
  /** Absolute path of the file. */
  file: string;
  /** 1-based line. */
  line: number;
}

/** An option line, e.g. `User deploy` or `Port=2222`. */
export interface SshOptionLine extends SshLocation {
  kind: 'option';
  /** Lower-case keyword (OpenSSH keywords are case-insensitive). */
  keyword: string;
  /** Arguments with quotes removed. */
  args: string[];
}

/** A `Host` line: starts a block that applies when the destination matches a pattern. */
export interface SshHostLine extends SshLocation {
  kind: 'host';
  patterns: string[];
}

/** One criterion of a `Match` line, e.g. `!host *.example.com`. */
export interface SshMatchCriterion {
  /** Lower-case name without the `!`. */
  name: string;
  negated: boolean;
  arg?: string;
}

/** A `Match` line: starts a block that applies when every criterion holds. */
export interface SshMatchLine extends SshLocation {
  kind: 'match';
  criteria: SshMatchCriterion[];
}

/** An `Include` line and the files it brought in, in the order ssh reads them. */
export interface SshIncludeLine extends SshLocation {
  kind: 'include';
  patterns: string[];
  files: SshConfigFile[];
}

export type SshConfigLine = SshOptionLine | SshHostLine | SshMatchLine | SshIncludeLine;

/** One file of the config, comments and blank lines left out. */
export interface SshConfigFile {
  file: string;
  lines: SshConfigLine[];
}

/** A `Host` block, for mapping VMs to aliases and opening the config there. */
export interface SshHostBlock extends SshLocation {
  patterns: string[];
  /** The block's own `HostName`, when it has one. */
  hostName?: string;
}

/** A whole SSH config as ssh reads it. */
export interface SshConfig {
  /** The config file it starts from. */
  file: string;
  /** The home folder `~` and relative Include paths were resolved with. */
  home: string;
  root: SshConfigFile;
  /** Every file read, the starting one first, in reading order. */
  files: string[];
  /** Every Host block in reading order, included files in place. */
  hosts: SshHostBlock[];
}

/** A Host block pattern that applied, and where it is. */
export interface SshHostRef {
  pattern: string;
  file: string;
  line: number;
}

/** How a VM will be reached over SSH. */
export interface SshDestination {
  /** What to pass to ssh after `--`: an alias, or `user@host`. */
  destination: string;
  /** The Host block the VM was mapped to (via 'alias' or 'hostname'). */
  matchedHost?: SshHostRef;
  /** Every Host block that applies to the destination, in order. */
  appliedHosts: SshHostRef[];
  user: string;
  /** The host ssh connects to (HostName applied, lower case as ssh uses it). */
  hostName: string;
  port?: number;
  /** The first IdentityFile, as written (`~` not expanded, like `ssh -G`). */
  identityFile?: string;
  proxyJump?: string;
  via: 'alias' | 'hostname' | 'default';
}
