import { formatCommand } from '../../shared/format';
import { assertSshDestination } from './destination';

/** An ssh invocation: `argv` to run without a shell, `display` to paste into one. */
export interface SshCommandLine {
  argv: string[];
  display: string;
}

// Builds the command "Copy SSH Command" copies: `ssh [-F file] -- destination`. Throws on a bad destination.
export function sshCommandLine(destination: string, configFile?: string): SshCommandLine {
  assertSshDestination(destination);
  const argv = ['ssh', ...(configFile !== undefined ? ['-F', configFile] : []), '--', destination];
  return { argv, display: formatCommand(argv) };
}
