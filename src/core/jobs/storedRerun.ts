import type { JobInfo } from '../../shared/jobs';
import { formatCommand, visibleText } from '../../shared/format';
import { aliasError, targetError } from '../mkcli/names';
import { shortTitle, type RunQuestion } from './runQuestion';

// A job read from the hub was reported by some operator — another window, another machine, a
// bug — and says what it ran in two places: `argv` (what the history shows) and alias, target
// and args (or VM and remote command). Before such a job runs here again, its command is built
// the way a click builds it in this window and must be exactly the stored argv, and the user
// confirms that command as it will run. These are the pure parts of that check.

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((w) => typeof w === 'string');

/** What a stored target job asks to run again. */
export interface StoredTarget {
  alias: string;
  target: string;
  args: string[];
}

// The alias, target and arguments of a stored target job, checked as a click's would be;
// throws with the reason when the job cannot be run again from what it stores.
export function storedTarget(job: JobInfo): StoredTarget {
  if (job.kind !== 'target') throw new Error(`Only target jobs and jobs on VMs can be run again; this one is a ${visibleText(String(job.kind))} job.`);
  const { alias, target, args } = job as Partial<Record<'alias' | 'target', unknown>> & { args?: unknown };
  if (typeof alias !== 'string' || typeof target !== 'string') throw new Error('This stored job does not say which project and target it ran.');
  const bad = aliasError(alias) ?? targetError(target);
  if (bad) throw new Error(bad);
  if (args !== undefined && !isStringList(args)) throw new Error('The arguments of this stored job are not a list of words.');
  return { alias, target, args: [...(args ?? [])] };
}

/** What a stored job on a VM asks to run again. */
export interface StoredRemote {
  kind: 'ssh-logs' | 'remote-command';
  /** `<environment>/<vm>`. */
  vm: string;
  /** The command on the VM. */
  remoteArgv: string[];
}

// The VM and remote command of a stored job on a VM; throws with the reason when it cannot be
// run again from what it stores (jobs stored before the remote command was kept in `args`).
export function storedRemote(job: JobInfo): StoredRemote {
  if (job.kind !== 'ssh-logs' && job.kind !== 'remote-command') throw new Error(`Expected a job on a VM, got a ${visibleText(String(job.kind))} job.`);
  const { vm, args } = job as { vm?: unknown; args?: unknown };
  if (typeof vm !== 'string' || !/^[^/]+\/[^/]+$/.test(vm)) throw new Error('This stored job does not say which VM it ran on.');
  if (!isStringList(args) || args.length === 0) throw new Error('This stored job does not record its command on the VM, so it cannot be run again; run it from the VMs view.');
  return { kind: job.kind, vm, remoteArgv: [...args] };
}

// Why the command a stored job says it ran is not what this window runs for the same request
// (`what`, as the user would ask for it), or undefined when they are the same, word for word.
export function commandMismatch(stored: unknown, rebuilt: readonly string[], what: string): string | undefined {
  if (isStringList(stored) && stored.length === rebuilt.length && stored.every((word, i) => word === rebuilt[i])) return undefined;
  const shown = isStringList(stored) ? formatCommand(stored) : 'not a list of words';
  return `The stored command \`${shown}\` is not what \`${visibleText(what)}\` runs here (\`${formatCommand(rebuilt)}\`), so it is not run.`;
}

/** A job from the history rebuilt as this window runs it, about to be confirmed. */
export interface RerunPlan {
  /** What it is, in a few words for the dialog's title: `web build`, `a command on staging/web-1`. */
  what: string;
  /** Exactly what will be spawned. */
  argv: readonly string[];
  /** The extra arguments (of a target) or the command on the VM, as given. */
  args: readonly string[];
  /** Where it runs: `in /src/web`, `on staging/web-1 over ssh alice@web-1`. */
  place: string;
}

// The confirmation of a rerun: the command exactly as it will be spawned, its arguments on their
// own, where it runs and who reported the job.
export function rerunQuestion(plan: RerunPlan, reportedBy: { hostname?: unknown; reporter?: unknown }): RunQuestion {
  const from = [reportedBy.hostname, reportedBy.reporter].filter((v): v is string => typeof v === 'string' && v !== '').map(visibleText);
  const detail = [
    'It runs exactly this command:',
    formatCommand(plan.argv),
    plan.args.length > 0 ? `Arguments: ${formatCommand(plan.args)}` : 'Arguments: none',
    visibleText(plan.place),
    '',
    `This job comes from the history${from.length > 0 ? ` (reported by ${from.join(', ')})` : ''}, not from a click in this window. Run it only if this is the command you meant.`,
  ].join('\n');
  return { message: shortTitle(`Run ${visibleText(plan.what)} from the history?`, 'Run this job from the history?'), detail };
}
