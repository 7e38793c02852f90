import type { JobInfo, JobQuery } from '../../shared/jobs';

type Run = Pick<JobInfo, 'id' | 'kind' | 'alias' | 'target' | 'vm' | 'argv' | 'args' | 'startedAt' | 'status'>;

/**
 * Whether `other` is a run of the same job as `job`: the same target of the same project for the
 * same VM (whatever its arguments), or for a command or log on a VM, the same command there.
 */
export function sameJob(job: Run, other: Run): boolean {
  if (other.kind !== job.kind || other.vm !== job.vm || other.alias !== job.alias) return false;
  if (job.kind === 'target' || job.kind === 'terminal') return other.target === job.target;
  return JSON.stringify(other.argv) === JSON.stringify(job.argv);
}

/** The history query that finds earlier runs of `job` (the rest is sameJob's to check). */
export function earlierRunsQuery(job: Run): JobQuery {
  return { kind: job.kind, ...(job.alias !== undefined ? { alias: job.alias } : {}), ...(job.vm !== undefined ? { vm: job.vm } : {}), to: job.startedAt, limit: 200 };
}

/** The run to compare `job` with: the latest earlier one that succeeded, else the latest earlier one. */
export function previousRun<T extends Run>(job: Run, candidates: readonly T[]): T | undefined {
  const earlier = candidates.filter((c) => c.id !== job.id && c.startedAt <= job.startedAt && sameJob(job, c)).sort((a, b) => b.startedAt - a.startedAt);
  return earlier.find((c) => c.status === 'success') ?? earlier[0];
}
