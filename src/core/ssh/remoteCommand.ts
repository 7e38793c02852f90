import { assertSshDestination } from './destination';
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

// The ssh argv that runs `remoteArgv` on `destination`: without a shell on this side, in
// BatchMode (a prompt would hang a job), with keep-alives so a dead connection ends within
// ~45 s, on a remote PTY (`-tt`) so that the hang-up of the PTY stops the remote command
// and its children when the connection closes (cancel, crash, dropped network). With the PTY,
// the remote stderr arrives merged into stdout; ssh's own messages stay on stderr. `-e none`
// keeps `~.` typed into a job from closing the connection; LogLevel=ERROR drops the
// "Connection to … closed." line of PTY sessions but keeps every error. With a `tag`, the remote
// processes carry VMO_JOB_ID=<tag> (see remoteShellCommand); a job records its argv with it.
export function sshRemoteArgv(destination: string, remoteArgv: readonly string[], options: SshRunOptions = {}, tag?: string): string[] {
  assertSshDestination(destination);
  const command = remoteShellCommand(remoteArgv, tag);
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
