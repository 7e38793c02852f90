import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { JobInfo, JobMode } from '../../shared/jobs';
import type { Command } from '../mkcli/makeCommand';

/** A target about to run, as the user asked for it and as it will be spawned. */
export interface TargetRun {
  alias: string;
  target: string;
  /** The extra arguments the user gave. */
  args: readonly string[];
  /** What will be spawned, from targetCommand(). */
  command: Command;
  cwd?: string;
  mode: JobMode;
}

// The record of a target's job at its start: a new id, this machine, status `running`.
export function targetJobInfo(run: TargetRun): JobInfo {
  return {
    id: randomUUID(),
    kind: 'target',
    mode: run.mode,
    title: `${run.alias} ${run.target}`,
    argv: [run.command.file, ...run.command.args],
    ...(run.cwd !== undefined ? { cwd: run.cwd } : {}),
    alias: run.alias,
    target: run.target,
    args: [...run.args],
    hostname: os.hostname(),
    startedAt: Date.now(),
    status: 'running',
  };
}
