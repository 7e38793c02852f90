import { assertValidDestination } from './destination';
import { remoteShellCommand } from './remoteQuote';

/** How ssh is run for remote commands and log streams. */
export interface SshRunOptions {
  /** The ssh program; `ssh` from PATH by default. */
  sshBinary?: string;
  /** Passed as `-F`; ssh's own default files otherwise. */
  configFile?: string;
  /**
   * Record a host key seen for the first time instead of failing (StrictHostKeyChecking=accept-new).
   * A changed key is refused either way; nothing here ever turns host key checking off.
   */
  acceptNewHostKey?: boolean;
}

// Refuses a destination that ssh could read as an option, that is not one word, or that holds
// a shell metacharacter (OpenSSH 9.6 refuses those too: a ProxyCommand or Match exec with %h or
// %r would hand them to a shell). The user and host of `user@host` are checked each as well:
// `alice@-oProxyCommand=…` is refused like `-o…`.
export function assertRemoteDestination(destination: string): void {
  assertValidDestination(destination);
  const at = destination.lastIndexOf('@');
  const user = at < 0 ? undefined : destination.slice(0, at);
  const host = destination.slice(at + 1);
  if (user === '' || host === '' || host.startsWith('-') || /['"`$\\;&<>|(){}]/.test(destination)) {
    throw new Error(`Expected an SSH destination (alias, host or user@host), got ${JSON.stringify(destination)}`);
  }
}

// The ssh argv that runs `remoteArgv` on `destination`: without a shell on this side, in
// BatchMode (a prompt would hang a job), with keep-alives so a dead connection ends within
// ~45 s, on a remote PTY (`-tt`) so that the hang-up of the PTY stops the remote command
// and its children when the connection closes (cancel, crash, dropped network). With the PTY,
// the remote stderr arrives merged into stdout; ssh's own messages stay on stderr. `-e none`
// keeps `~.` typed into a job from closing the connection; LogLevel=ERROR drops the
// "Connection to … closed." line of PTY sessions but keeps every error.
export function sshRemoteArgv(destination: string, remoteArgv: readonly string[], options: SshRunOptions = {}): string[] {
  assertRemoteDestination(destination);
  const command = remoteShellCommand(remoteArgv);
  return [
    options.sshBinary ?? 'ssh',
    ...(options.configFile !== undefined ? ['-F', options.configFile] : []),
    '-tt',
    '-e',
    'none',
    '-o',
    'BatchMode=yes',
    '-o',
    'ServerAliveInterval=15',
    '-o',
    'ServerAliveCountMax=3',
    '-o',
    'LogLevel=ERROR',
    ...(options.acceptNewHostKey ? ['-o', 'StrictHostKeyChecking=accept-new'] : []),
    '--',
    destination,
    command,
  ];
}
