// Whether a VM answers over ssh, as a user would find out with `ssh <dest> true`: a bounded
// background check for the VMs view. It never asks anything (BatchMode), never records a host
// key, and says why a VM cannot be reached in the words of remoteFailure.
import { runCapture } from '../exec/runCapture';
import { createLimit } from '../util/limit';
import { assertSshDestination } from './destination';
import { classifySshFailure, type SshFailure } from './remoteFailure';

/** What one check found, and when (epoch ms). */
export type Reachability =
  | { state: 'reachable'; ms: number; checkedAt: number }
  | { state: 'unreachable'; kind: SshFailure['kind'] | 'no-ssh'; message: string; checkedAt: number };

export interface ReachabilityOptions {
  sshBinary?: string;
  /** Passed as `-F`. */
  configFile?: string;
  signal?: AbortSignal;
}

/** ssh gives up on a host that does not answer the TCP connection after this long. */
export const CONNECT_TIMEOUT_S = 5;
/** A check that has not ended after this long (a server that accepts and then says nothing) is a timeout. */
const CHECK_TIMEOUT_MS = 20_000;

/** The ssh argv of one check: no shell, no prompt, and no known_hosts change (accept-new is not passed). */
export function reachabilityArgv(destination: string, options: ReachabilityOptions = {}): string[] {
  assertSshDestination(destination);
  return [
    options.sshBinary ?? 'ssh',
    ...(options.configFile !== undefined ? ['-F', options.configFile] : []),
    '-o',
    'BatchMode=yes',
    '-o',
    `ConnectTimeout=${CONNECT_TIMEOUT_S}`,
    '-o',
    'LogLevel=ERROR',
    '--',
    destination,
    'true',
  ];
}

/** Runs one check of `destination`; never throws. */
export async function checkReachable(destination: string, options: ReachabilityOptions = {}): Promise<Reachability> {
  const [file, ...args] = reachabilityArgv(destination, options);
  const result = await runCapture(file!, args, { timeoutMs: CHECK_TIMEOUT_MS, ...(options.signal ? { signal: options.signal } : {}) });
  const checkedAt = Date.now();
  if (result.exitCode === 0) return { state: 'reachable', ms: Math.round(result.durationMs), checkedAt };
  if (result.spawnError) return { state: 'unreachable', kind: 'no-ssh', message: `ssh could not be started: ${result.spawnError.message}`, checkedAt };
  if (result.timedOut) return { state: 'unreachable', kind: 'timeout', message: `No answer within ${CHECK_TIMEOUT_MS / 1000} s.`, checkedAt };
  const failure = classifySshFailure(result.stderr, destination);
  if (failure) return { state: 'unreachable', kind: failure.kind, message: failure.message, checkedAt };
  // ssh got in, and `true` did not succeed: the login shell or a forced command refused it.
  return { state: 'unreachable', kind: 'other', message: `ssh exited with ${result.exitCode ?? result.signal} after logging in.`, checkedAt };
}

/** The words for why a VM cannot be reached. */
const UNREACHABLE_WORDS: Record<Extract<Reachability, { state: 'unreachable' }>['kind'], string> = {
  'connection-refused': 'refused',
  timeout: 'timed out',
  'unknown-host-key': 'unknown host key',
  'changed-host-key': 'changed host key',
  'permission-denied': 'authentication failed',
  'name-resolution': 'name not resolved',
  unreachable: 'network unreachable',
  'connection-lost': 'connection lost',
  'no-ssh': 'ssh not found',
  other: 'failed',
};

/** A few words for a state, as the VMs view shows it. */
export function reachabilityLabel(r: Reachability): string {
  return r.state === 'reachable' ? `reachable in ${r.ms} ms` : UNREACHABLE_WORDS[r.kind];
}

// Checks many VMs a few at a time; a destination asked for again while its check runs shares it.
export class ReachabilityChecker {
  private readonly limit: ReturnType<typeof createLimit>;
  private readonly running = new Map<string, Promise<Reachability>>();
  private readonly last = new Map<string, Reachability>();

  constructor(
    private readonly options: () => ReachabilityOptions,
    concurrency = 4,
  ) {
    this.limit = createLimit(concurrency);
  }

  /** The last state found for a destination, if it was checked. */
  get(destination: string): Reachability | undefined {
    return this.last.get(destination);
  }

  check(destination: string): Promise<Reachability> {
    const known = this.running.get(destination);
    if (known) return known;
    const check = this.limit(() => checkReachable(destination, this.options())).then((r) => {
      this.last.set(destination, r);
      this.running.delete(destination);
      return r;
    });
    this.running.set(destination, check);
    return check;
  }
}
