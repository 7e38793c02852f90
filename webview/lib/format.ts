// Statuses as words and icons, and a running time; commands and durations are written by
// src/shared/format.ts, as everywhere else.
import { formatDuration } from '../../src/shared/format';
import type { JobStatus } from '../../src/shared/jobs';

/** The codicon and the word of each status. */
export const STATUS_TEXT: Record<JobStatus, { icon: string; label: string }> = {
  queued: { icon: 'clock', label: 'Queued' },
  running: { icon: 'loading', label: 'Running' },
  success: { icon: 'pass', label: 'Succeeded' },
  failed: { icon: 'error', label: 'Failed' },
  canceled: { icon: 'circle-slash', label: 'Canceled' },
  skipped: { icon: 'debug-step-over', label: 'Skipped' },
  interrupted: { icon: 'debug-disconnect', label: 'Interrupted' },
};

/** A running time that ticks once a second: `0 s`, `42 s`, then as formatDuration. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return s < 60 ? `${s} s` : formatDuration(s * 1000);
}
