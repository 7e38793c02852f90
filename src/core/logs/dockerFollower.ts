import type { LogFollower } from './logFollower';
import { withoutOption } from './withoutOption';

/** `docker logs --timestamps` puts RFC 3339 time in UTC with nanoseconds before each line. */
const STAMPED = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z(?: (.*))?$/s;

// Follows `docker logs -f … <container>` by time: lines are read with `--timestamps` (the
// stamp is removed before a line is shown), and a reconnect continues with `--since <time of
// the last line shown>`. --since includes that instant, so the lines already shown with
// exactly that time come again and are dropped, once each, as are older ones sent again;
// newer lines with the same text are kept. While live, nothing is ever dropped.
export function dockerFollower(argv: readonly string[]): LogFollower {
  const logs = argv.indexOf('logs');
  if (!argv.includes('-f') && !argv.includes('--follow')) throw new Error(`Expected docker logs -f, got ${JSON.stringify(argv)}`);
  const insert = (words: readonly string[], extra: string[]): string[] => [...words.slice(0, logs + 1), ...extra, ...words.slice(logs + 1)];
  const first = insert(argv, ['--timestamps']);
  const resumeBase = withoutOption(argv, ['--tail', '-n']);
  let last: { stamp: string; key: string } | undefined;
  /** Texts shown with the time of `last`, in order. */
  let boundary: string[] = [];
  /** Set from a reconnect until the first newer line: what a resumed command sends again. */
  let repeats: string[] | undefined;
  return {
    resumes: true,
    command: () => (last === undefined ? first : insert(resumeBase, ['--timestamps', '--since', last.stamp])),
    connected: () => {
      repeats = last === undefined ? undefined : [...boundary];
    },
    accept: (line) => {
      const match = STAMPED.exec(line);
      if (!match) return line;
      const stamp = line.slice(0, line.indexOf('Z') + 1);
      const key = `${match[1]}.${(match[2] ?? '').padEnd(9, '0')}`;
      const text = match[3] ?? '';
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
