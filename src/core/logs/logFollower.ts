import { dockerFollower, kubectlFollower, podmanFollower } from './containerFollower';
import { journalFollower } from './journalFollower';
import { tailFollower } from './tailFollower';

// How a log command is run again after a dropped connection.
export interface LogFollower {
  /** True when a reconnect continues right after the last line shown; false when it starts over. */
  readonly resumes: boolean;
  /** The remote argv for the next connection: the first one, or one that resumes. */
  command(): string[];
  /** The command of a new connection has started; its lines follow. */
  connected(): void;
  /** One complete line as received, without its line break: the text to show, or undefined to drop it. */
  accept(line: string): string | undefined;
}

/** The resuming followers, by the command they know: each refuses (throws for) a form it cannot resume. */
const RESUMING: readonly [(argv: readonly string[]) => boolean, (argv: readonly string[]) => LogFollower][] = [
  [(argv) => argv[0] === 'tail', tailFollower],
  [(argv) => argv[0] === 'journalctl', journalFollower],
  [(argv) => argv[0] === 'docker' && argv[1] === 'logs', dockerFollower],
  [(argv) => argv[0] === 'podman' && argv[1] === 'logs', podmanFollower],
  [(argv) => argv[0] === 'kubectl' && argv.includes('logs'), kubectlFollower],
];

// Picks the follower for a filled-in log command. `tail -n N -F file`, `journalctl -f …`,
// `docker logs -f`, `podman logs -f` and `kubectl logs -f` resume without showing a line twice;
// any other command (a user's own script, `tail -f`) is run again as it is, and may repeat lines.
export function followerFor(argv: readonly string[]): LogFollower {
  const known = RESUMING.find(([matches]) => matches(argv));
  if (known) {
    try {
      return known[1](argv);
    } catch {
      // A form it cannot resume (`tail -f file`, `journalctl -n 10`): run again as it is.
    }
  }
  return rerunFollower(argv);
}

/** Runs the same command on every connection and shows every line. */
export function rerunFollower(argv: readonly string[]): LogFollower {
  return { resumes: false, command: () => [...argv], connected: () => undefined, accept: (line) => line };
}
