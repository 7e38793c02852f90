import type { LogFollower } from './logFollower';

// Runs on the VM with $1 = file, $2 = lines to show first, $3 = line to resume at (empty the
// first time). It prints the number of the first line it will show, then execs tail from that
// line: counting with wc first and starting tail at an absolute line loses nothing written
// in between. The file and numbers are arguments, never part of the script.
const SCRIPT =
  's=$3; if [ -z "$s" ]; then s=$(($(wc -l 2>/dev/null <"$1" || echo 0) - $2 + 1)); [ "$s" -ge 1 ] || s=1; fi; ' +
  `printf '%s\\n' "$s"; exec tail -n "+$s" -F -- "$1"`;

/** tail's notes that it starts over at the top of a file. */
const STARTS_OVER = /^tail: .*(?:file truncated|has been replaced|has appeared)/;

// Follows `tail -n N -F file` by line number: after a dropped connection it resumes with
// `tail -n +<next line> -F`. tail's own notes (merged in by the remote PTY) are shown but not
// counted; after truncation or rotation it counts from line 1 again. A line of the file that
// itself starts with "tail: " would be taken for a note and shown again after a reconnect.
export function tailFollower(argv: readonly string[]): LogFollower {
  const { file, lines } = parseTail(argv);
  let next: number | undefined;
  let expectStart = false;
  return {
    resumes: true,
    command: () => ['sh', '-c', SCRIPT, 'sh', file, String(lines), next === undefined ? '' : String(next)],
    connected: () => {
      expectStart = true;
    },
    accept: (line) => {
      if (expectStart && /^\d+$/.test(line)) {
        expectStart = false;
        next = Number(line);
        return undefined;
      }
      if (line.startsWith('tail: ')) {
        if (STARTS_OVER.test(line)) next = 1;
        return line;
      }
      if (next !== undefined) next++;
      return line;
    },
  };
}

/** The file and line count of `tail [-n N] -F file`; throws for other tail commands. */
function parseTail(argv: readonly string[]): { file: string; lines: number } {
  let lines = 10;
  let follows = false;
  let file: string | undefined;
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i];
    if (word === '-n' && /^\d+$/.test(argv[i + 1] ?? '')) lines = Number(argv[++i]);
    else if (word === '-F') follows = true;
    else if (word === '--' && i === argv.length - 2) file = argv[++i];
    else if (!word.startsWith('-') && i === argv.length - 1) file = word;
    else throw new Error(`Expected tail -n N -F <file>, got ${JSON.stringify(argv)}`);
  }
  if (!follows || file === undefined) throw new Error(`Expected tail -n N -F <file>, got ${JSON.stringify(argv)}`);
  return { file, lines };
}
