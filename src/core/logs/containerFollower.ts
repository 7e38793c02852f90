import type { LogFollower } from './logFollower';
import { withoutOption } from './withoutOption';

/**
 * `--timestamps` puts an RFC 3339 time with up to nanoseconds before each line: in UTC (`Z`) from
 * docker and kubectl, with the local offset from podman.
 */
const STAMPED = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)(?: (.*))?$/s;

/** How one container tool's `logs -f` resumes at a time. */
interface ResumeSpelling {
  /** Options of the first command that a resumed one must not repeat (its backlog). */
  dropOnResume: readonly string[];
  /** The words that start the output at `stamp`, included. */
  since(stamp: string): string[];
}

const DOCKER: ResumeSpelling = { dropOnResume: ['--tail', '-n'], since: (stamp) => ['--since', stamp] };
const KUBECTL: ResumeSpelling = { dropOnResume: ['--tail', '--since', '--since-time'], since: (stamp) => [`--since-time=${stamp}`] };

/** `docker logs -f … <container>`. */
export const dockerFollower = (argv: readonly string[]): LogFollower => containerFollower(argv, DOCKER);
/** `podman logs -f … <container>`: docker's options. */
export const podmanFollower = (argv: readonly string[]): LogFollower => containerFollower(argv, DOCKER);
/** `kubectl logs -f … <pod>`, resumed with `--since-time`. */
export const kubectlFollower = (argv: readonly string[]): LogFollower => containerFollower(argv, KUBECTL);

// Follows a container's `logs -f` by time: lines are read with `--timestamps` (the stamp is
// removed before a line is shown), and a reconnect continues from the time of the last line
// shown. That instant is included, so the lines already shown with exactly that time come again
// and are dropped, once each, as are older ones sent again; newer lines with the same text are
// kept. While live, nothing is ever dropped. Lines without a stamp (a `--prefix`, an error) are
// shown as they are.
function containerFollower(argv: readonly string[], spelling: ResumeSpelling): LogFollower {
  const logs = argv.indexOf('logs');
  if (logs < 0 || !argv.some((word, i) => i > logs && (word === '-f' || word === '--follow' || word === '--follow=true'))) {
    throw new Error(`Expected <tool> logs -f, got ${JSON.stringify(argv)}`);
  }
  const insert = (words: readonly string[], extra: string[]): string[] => [...words.slice(0, logs + 1), ...extra, ...words.slice(logs + 1)];
  const first = insert(argv, ['--timestamps']);
  const resumeBase = withoutOption(argv, spelling.dropOnResume);
  let last: { stamp: string; key: string } | undefined;
  /** Texts shown with the time of `last`, in order. */
  let boundary: string[] = [];
  /** Set from a reconnect until the first newer line: what a resumed command sends again. */
  let repeats: string[] | undefined;
  return {
    resumes: true,
    command: () => (last === undefined ? first : insert(resumeBase, ['--timestamps', ...spelling.since(last.stamp)])),
    connected: () => {
      repeats = last === undefined ? undefined : [...boundary];
    },
    accept: (line) => {
      const match = STAMPED.exec(line);
      if (!match) return line;
      const key = timeKey(match[1], match[2] ?? '', match[3]);
      if (key === undefined) return line;
      const stamp = line.slice(0, line.length - (match[4] === undefined ? 0 : match[4].length + 1));
      const text = match[4] ?? '';
      if (repeats !== undefined && last !== undefined) {
        if (key < last.key) return undefined;
        const seen = key === last.key ? repeats.indexOf(text) : -1;
        if (seen >= 0) {
          repeats.splice(seen, 1);
          return undefined;
        }
        if (key > last.key) repeats = undefined;
      }
      if (last === undefined || key > last.key) {
        last = { stamp, key };
        boundary = [text];
      } else if (key === last.key) {
        boundary.push(text);
      }
      return text;
    },
  };
}

/** A stamp as a key that sorts as time does: UTC seconds, then nanoseconds; undefined when not a date. */
function timeKey(seconds: string, fraction: string, zone: string): string | undefined {
  const utc = zone === 'Z' ? seconds : new Date(`${seconds}${zone}`).toISOString().slice(0, 19);
  if (utc.length !== 19 || Number.isNaN(Date.parse(`${utc}Z`))) return undefined;
  return `${utc}.${fraction.padEnd(9, '0')}`;
}
