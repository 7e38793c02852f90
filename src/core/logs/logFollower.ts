import { dockerFollower } from './dockerFollower';
import { journalFollower } from './journalFollower';
import { tailFollower } from './tailFollower';

// A log command that can be resumed after a dropped connection without showing a line twice:
// it knows what it has shown and builds the command that continues right after it.
export interface LogFollower {
  /** The remote argv for the next connection: the first one, or one that resumes. */
  command(): string[];
  /** The command of a new connection has started; its lines follow. */
  connected(): void;
  /** One complete line as received, without its line break: the text to show, or undefined to drop it. */
  accept(line: string): string | undefined;
}

// Picks the follower for a filled-in preset argv: `tail -n N -F file`, `journalctl -f …` or
// `docker logs -f … container`. Throws for any other command, which could not be resumed.
export function followerFor(argv: readonly string[]): LogFollower {
  if (argv[0] === 'tail') return tailFollower(argv);
  if (argv[0] === 'journalctl') return journalFollower(argv);
  if (argv[0] === 'docker' && argv[1] === 'logs') return dockerFollower(argv);
  throw new Error(`Expected a log command to follow (tail -F, journalctl -f or docker logs -f), got ${JSON.stringify(argv)}`);
}
