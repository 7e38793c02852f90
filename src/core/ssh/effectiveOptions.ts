import { execFile } from 'node:child_process';
import { assertSshDestination } from './destination';

export interface EffectiveOptionsOptions {
  /** The ssh program; `ssh` from PATH by default. */
  sshBinary?: string;
  /** Passed as `-F`; ssh's own default files otherwise. */
  configFile?: string;
  signal?: AbortSignal;
  /** Stop ssh after this long (default 10 s). */
  timeoutMs?: number;
}

// Asks the system ssh what it will use for a destination (`ssh -G`), without a shell. Keys are
// lower case as ssh prints them; for repeated keys (identityfile, sendenv…) the first value is
// kept. undefined when ssh is missing, fails, times out or is aborted. Throws on a bad destination.
export async function effectiveOptions(destination: string, opts: EffectiveOptionsOptions = {}): Promise<Record<string, string> | undefined> {
  assertSshDestination(destination);
  const args = ['-G', ...(opts.configFile !== undefined ? ['-F', opts.configFile] : []), '--', destination];
  const stdout = await new Promise<string | undefined>((resolve) => {
    try {
      execFile(
        opts.sshBinary ?? 'ssh',
        args,
        { signal: opts.signal, timeout: opts.timeoutMs ?? 10_000, maxBuffer: 1024 * 1024, windowsHide: true, encoding: 'utf8' },
        (error, out) => resolve(error ? undefined : out),
      );
    } catch {
      resolve(undefined);
    }
  });
  return stdout === undefined ? undefined : parseSshG(stdout);
}

/** Parses `ssh -G` output: one `key value` per line; the first value of a repeated key wins. */
export function parseSshG(output: string): Record<string, string> {
  const options: Record<string, string> = {};
  for (const line of output.split(/\r?\n/)) {
    const match = /^(\S+)(?:\s+(.*))?$/.exec(line);
    if (!match) continue;
    const key = match[1].toLowerCase();
    if (!(key in options)) options[key] = match[2] ?? '';
  }
  return options;
}
