// Statuses as words and icons, and a running time; commands and durations are written by
// src/shared/format.ts, as everywhere else.
import { formatDuration } from '../../src/shared/format';
import type { JobStatus } from '../../src/shared/jobs';

/**
 * The codicon and the word of each status. A running job's icon stands still: a spinning one
 * redraws the page at 60 frames a second for as long as the job runs, which without GPU
 * compositing took a third of a CPU (measured in the console bench: Chromium at 590 against
 * 300 ms a second with the console idle); the status word and the ticking time say it is alive.
 */
export const STATUS_TEXT: Record<JobStatus, { icon: string; label: string }> = {
  queued: { icon: 'clock', label: 'Queued' },
  running: { icon: 'pulse', label: 'Running' },
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
