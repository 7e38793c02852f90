import type { LogFollower } from './logFollower';
import { withoutOption } from './withoutOption';

/** The fields of a `journalctl -o json` entry that a line is made of. */
export interface JournalEntry {
  __CURSOR?: string;
  __REALTIME_TIMESTAMP?: string;
  _HOSTNAME?: string;
  SYSLOG_IDENTIFIER?: string;
  _COMM?: string;
  _PID?: string;
  MESSAGE?: string | number[] | null;
}

// Follows `journalctl -f …` by cursor: entries are read as JSON (`-o json`) to keep each
// one's cursor, shown as `<ISO time UTC> <host> <identifier>[<pid>]: <message>`, and a
// reconnect continues with `--after-cursor <last cursor> -n all`. Lines that are not entries
// (journalctl's own messages) are shown as they are.
export function journalFollower(argv: readonly string[]): LogFollower {
  if (!argv.includes('-f') && !argv.includes('--follow')) throw new Error(`Expected journalctl -f, got ${JSON.stringify(argv)}`);
  const base = [...argv, '-o', 'json', '--no-pager'];
  const resumeBase = [...withoutOption(argv, ['-n', '--lines']), '-o', 'json', '--no-pager', '-n', 'all'];
  let cursor: string | undefined;
  return {
    resumes: true,
    command: () => (cursor === undefined ? base : [...resumeBase, '--after-cursor', cursor]),
    connected: () => undefined,
    accept: (line) => {
      const entry = parseEntry(line);
      if (!entry) return line;
      if (entry.__CURSOR === cursor) return undefined;
      cursor = entry.__CURSOR;
      return formatEntry(entry);
    },
  };
}

function parseEntry(line: string): JournalEntry | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && typeof (value as JournalEntry).__CURSOR === 'string' ? (value as JournalEntry) : undefined;
  } catch {
    return undefined;
  }
}

/** One entry as a line, like `journalctl -o short-iso` but always in UTC. */
export function formatEntry(entry: JournalEntry): string {
  const micros = Number(entry.__REALTIME_TIMESTAMP);
  const time = Number.isFinite(micros) ? new Date(Math.floor(micros / 1000)).toISOString() : '-';
  const ident = entry.SYSLOG_IDENTIFIER ?? entry._COMM ?? '-';
  const pid = entry._PID !== undefined ? `[${entry._PID}]` : '';
  const message = Array.isArray(entry.MESSAGE) ? Buffer.from(entry.MESSAGE).toString('utf8') : (entry.MESSAGE ?? '[binary data]');
  return `${time} ${entry._HOSTNAME ?? '-'} ${ident}${pid}: ${message}`;
}
