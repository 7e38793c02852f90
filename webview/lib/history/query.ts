// The history filters as the user types them, and the JobQuery they stand for. The same rules
// decide whether a live job belongs in the rows on screen, so live updates and pages agree.
import type { HubJob } from '../../../src/shared/hubProtocol';
import { isOfKind, type JobKind, type JobQuery, type JobStatus } from '../../../src/shared/jobs';

export interface HistoryFilters {
  /** '' for any. */
  status: JobStatus | '';
  kind: JobKind | '';
  /** Project alias, exactly. */
  alias: string;
  /** `<environment>/<vm>`, exactly. */
  vm: string;
  /** Part of the command line, any case. */
  text: string;
  /** Local dates `YYYY-MM-DD` as a date input gives them, both days included; '' for open. */
  from: string;
  to: string;
}

export const NO_FILTERS: HistoryFilters = { status: '', kind: '', alias: '', vm: '', text: '', from: '', to: '' };

/** Epoch ms of local midnight starting `date` (`YYYY-MM-DD`), `days` later; undefined for anything else. */
function localMidnight(date: string, days = 0): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return undefined;
  const time = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + days).getTime();
  return Number.isFinite(time) ? time : undefined;
}

/** The query of the filters: blank fields are left out, the `to` day is included whole. */
export function filtersToQuery(filters: HistoryFilters, limit?: number): JobQuery {
  const query: JobQuery = {};
  if (filters.status) query.status = filters.status;
  if (filters.kind) query.kind = filters.kind;
  const alias = filters.alias.trim();
  if (alias) query.alias = alias;
  const vm = filters.vm.trim();
  if (vm) query.vm = vm;
  const text = filters.text.trim();
  if (text) query.text = text;
  const from = localMidnight(filters.from);
  if (from !== undefined) query.from = from;
  const to = localMidnight(filters.to, 1);
  if (to !== undefined) query.to = to;
  if (limit !== undefined) query.limit = limit;
  return query;
}

/** Whether the store would list `job` for `query` (cursor and limit aside). */
export function matchesQuery(job: HubJob, query: JobQuery): boolean {
  if (query.status !== undefined && ![query.status].flat().includes(job.status)) return false;
  if (query.kind !== undefined && !isOfKind(job, query.kind)) return false;
  if (query.alias !== undefined && job.alias !== query.alias) return false;
  if (query.vm !== undefined && job.vm !== query.vm) return false;
  if (query.text && !job.command.toLowerCase().includes(query.text.toLowerCase())) return false;
  if (query.from !== undefined && job.startedAt < query.from) return false;
  if (query.to !== undefined && job.startedAt >= query.to) return false;
  return true;
}
