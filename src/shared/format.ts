// How the product writes commands and durations for people, the same in every view: the Jobs
// tree, notifications, the console, the history and the dashboard.

const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

// Quotes one word for a POSIX shell; plain words stay as they are. Used for command lines that
// people read or paste, and for the remote command that ssh hands to the VM's shell.
export function quotePosix(word: string): string {
  if (PLAIN_WORD.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A command line as people read and paste it, e.g. `make -C '/my dir' build`. */
export function formatCommand(argv: readonly string[]): string {
  return argv.map(quotePosix).join(' ');
}

/**
 * `850 ms`, `12.3 s`, `3 min 04 s`, `1 h 02 min`; empty for what is not a duration. Cut, not
 * rounded, so that 59.96 s reads `59.9 s` rather than a `60.0 s` that belongs to the next unit,
 * and a running time and the final one agree.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.floor(ms)} ms`;
  if (ms < 60_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor(s / 60) % 60).padStart(2, '0')} min`;
}
