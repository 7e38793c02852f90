// How jobs are written for people: command lines quoted as a POSIX shell would need them,
// durations in the largest sensible units, statuses as words and icons.
import type { JobStatus } from '../../src/shared/jobs';

/** The codicon and the word of each status. */
export const STATUS_TEXT: Record<JobStatus, { icon: string; label: string }> = {
  running: { icon: 'loading', label: 'Running' },
  success: { icon: 'pass', label: 'Succeeded' },
  failed: { icon: 'error', label: 'Failed' },
  canceled: { icon: 'circle-slash', label: 'Canceled' },
  interrupted: { icon: 'debug-disconnect', label: 'Interrupted' },
};

const SAFE_ARG = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One argument as it would have to be typed in a POSIX shell. */
export function quoteArg(arg: string): string {
  if (arg === '') return "''";
  if (SAFE_ARG.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A command line for display, e.g. `make -C '/my dir' build`. */
export function formatCommand(argv: readonly string[]): string {
  return argv.map(quoteArg).join(' ');
}

/** `850 ms`, `12.3 s`, `3 min 04 s`, `1 h 02 min`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor(s / 60) % 60).padStart(2, '0')} min`;
}

/** A running time that ticks once a second: `0 s`, `42 s`, then as formatDuration. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return s < 60 ? `${s} s` : formatDuration(s * 1000);
}
