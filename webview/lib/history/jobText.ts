// How one job is written in the history table: status and type as words and icons, where it
// ran, when it started, how long it took and how it ended.
import type { HubJob } from '../../../src/shared/hubProtocol';
import { childOrder, isActive, type JobKind } from '../../../src/shared/jobs';
import { formatCommand, formatDuration, visibleText } from '../../../src/shared/format';
import { formatElapsed, STATUS_TEXT } from '../format';

export const KIND_TEXT: Record<JobKind, string> = {
  target: 'Target',
  terminal: 'Terminal',
  'ssh-logs': 'SSH logs',
  'remote-command': 'Remote command',
  environment: 'Environment run',
  sequence: 'Sequence',
};

/**
 * The rows in table order: each job of a group (an environment run's VM, a sequence's step) right
 * under its parent, in the order they started, when the parent is listed too; `nested` holds those. Others keep their order.
 */
export function nestChildren(jobs: readonly HubJob[]): { rows: HubJob[]; nested: Set<string> } {
  const ids = new Set(jobs.map((j) => j.id));
  const children = new Map<string, HubJob[]>();
  for (const job of jobs) {
    if (job.parentId === undefined || !ids.has(job.parentId)) continue;
    children.set(job.parentId, [...(children.get(job.parentId) ?? []), job]);
  }
  const nested = new Set([...children.values()].flat().map((j) => j.id));
  const rows: HubJob[] = [];
  for (const job of jobs) {
    if (nested.has(job.id)) continue;
    rows.push(job, ...(children.get(job.id) ?? []).sort(childOrder));
  }
  return { rows, nested };
}

/** What started the job, in words; a target run for a VM or in a terminal says so. */
export function kindText(job: HubJob): string {
  if (job.kind !== 'target') return KIND_TEXT[job.kind];
  return job.vm !== undefined ? 'Target on VM' : job.mode === 'terminal' ? 'Target in terminal' : KIND_TEXT.target;
}

/** The project alias and the VM it ran for, or either, or ''. */
export function placeOf(job: HubJob): string {
  return visibleText([job.alias, job.vm].filter((p) => p !== undefined && p !== null).join(' · '));
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** `just now`, `42 s ago`, `5 min ago`, `3 h ago`, `2 d ago`, then the date. */
export function formatRelative(at: number, now: number): string {
  const ago = now - at;
  if (ago < 5000) return 'just now';
  if (ago < MINUTE) return `${Math.floor(ago / 1000)} s ago`;
  if (ago < HOUR) return `${Math.floor(ago / MINUTE)} min ago`;
  if (ago < DAY) return `${Math.floor(ago / HOUR)} h ago`;
  if (ago < 7 * DAY) return `${Math.floor(ago / DAY)} d ago`;
  return new Date(at).toLocaleDateString();
}

/** The start as a full local date and time, for the tooltip. */
export function formatAbsolute(at: number): string {
  return new Date(at).toLocaleString();
}

/** The running time (ticking with `now`) or the final duration; '' when unknown. */
export function durationText(job: HubJob, now: number): string {
  if (job.status === 'running') return formatElapsed(now - job.startedAt);
  if (job.durationMs !== undefined) return formatDuration(job.durationMs);
  if (job.finishedAt !== undefined) return formatDuration(job.finishedAt - job.startedAt);
  return '';
}

/** The exit code, or the signal that ended it; '' while running or when unknown. */
export function exitText(job: HubJob): string {
  if (isActive(job.status)) return '';
  if (job.signal) return job.signal;
  return job.exitCode === undefined || job.exitCode === null ? '' : String(job.exitCode);
}

/** The problems found in its output, `2 errors, 1 warning`; '' when none were counted or found. */
export function problemsText(job: HubJob): string {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const { errors = 0, warnings = 0 } = job;
  return errors + warnings === 0 ? '' : `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
}

/** One sentence for screen readers: what, where, how it ended, when. */
export function jobLabel(job: HubJob, now: number): string {
  const parts = [STATUS_TEXT[job.status].label, kindText(job).toLowerCase(), job.title];
  const place = placeOf(job);
  if (place && !job.title.includes(place)) parts.push(`in ${place}`);
  parts.push(`started ${formatRelative(job.startedAt, now)}`);
  const duration = durationText(job, now);
  if (duration) parts.push(job.status === 'running' ? `running for ${duration}` : `took ${duration}`);
  const exit = exitText(job);
  if (exit) parts.push(job.signal ? `signal ${exit}` : `exit code ${exit}`);
  const problems = problemsText(job);
  if (problems) parts.push(problems);
  parts.push(`on ${job.hostname}`);
  const args = argsText(job);
  if (args) parts.push(`arguments ${args}`);
  return parts.join(', ');
}

/**
 * The job's command line, written from its argv here rather than taken from the store's `command`:
 * a row stored before unseen characters were escaped, or by another hub, would show them as they are.
 */
export function commandText(job: HubJob): string {
  return formatCommand(job.argv);
}

/** The job's stored arguments (of a target, or its command on a VM) as a shell would need them; '' when none. */
export function argsText(job: HubJob): string {
  return job.args && job.args.length > 0 ? formatCommand(job.args) : '';
}
