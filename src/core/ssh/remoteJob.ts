import { randomUUID } from 'node:crypto';
import type { JobResult } from '../../shared/jobs';
import { startJob, type JobOptions, type RunningJob } from '../exec/startJob';
import { sshRemoteArgv, type SshRunOptions } from './remoteCommand';
import { classifySshFailure, type SshFailure } from './remoteFailure';
import { reapRemote } from './remoteReap';

/** How a remote command ended; `sshFailure` is set when ssh itself failed (exit 255). */
export interface RemoteJobResult extends JobResult {
  sshFailure?: SshFailure;
}

/** A remote command that was started; `done` tells ssh's own failures apart. */
export interface RunningRemoteJob extends RunningJob {
  readonly argv: readonly string[];
  readonly done: Promise<RemoteJobResult>;
}

/** How a remote command is run; `tag` marks its processes on the VM (default a fresh UUID). */
export type RemoteJobOptions = JobOptions & SshRunOptions & { tag?: string };

/** What ssh prints about itself is short; more than this is not ssh's. */
const MAX_SSH_STDERR = 64 * 1024;

// Runs `remoteArgv` on `destination` over ssh as a job (kind 'remote-command'): output arrives
// as chunks (the remote stderr merged into stdout by the PTY, ssh's own messages on stderr),
// cancel stops ssh and, through the PTY's hang-up, the remote command and its children; a
// second connection then stops what left the session or ignores the hang-up (remoteReap.ts), and
// the job ends once both are done. A canceled job ends `canceled` with neither exit code nor
// signal: ssh's own (255, "Killed by signal 15") would say nothing about the remote command.
// The local side uses pipes: ssh's stdin stays open for the whole run, as -tt needs. `argv` is
// what ssh runs, the tag included: what a job records and shows (vmJobs.ts).
export function startRemoteJob(destination: string, remoteArgv: readonly string[], options: RemoteJobOptions): RunningRemoteJob {
  const tag = options.tag ?? randomUUID();
  const argv = sshRemoteArgv(destination, remoteArgv, options, tag);
  let stderr = '';
  // The local ssh gets a tag of its own (startJob's default): the job's tag belongs to the VM's
  // processes, and a VM may be this very machine.
  const job = startJob(
    { argv, usePty: false },
    {
      ...options,
      onCancel: (graceMs) => reapRemote(destination, tag, graceMs, options),
      onChunk: (chunk) => {
        if (chunk.stream === 'stderr' && stderr.length < MAX_SSH_STDERR) stderr += chunk.text;
        options.onChunk(chunk);
      },
      onExit: undefined,
    },
  );
  const done = job.done.then((ended): RemoteJobResult => {
    const result = ended.status === 'canceled' ? { ...ended, exitCode: null, signal: null } : ended;
    const sshFailure = result.exitCode === 255 ? classifySshFailure(stderr, destination) : undefined;
    const remote: RemoteJobResult = sshFailure ? { ...result, sshFailure } : result;
    options.onExit?.(remote);
    return remote;
  });
  return { ...job, tag, argv, done };
}

/** What a short remote command printed and how it ended. */
export interface RemoteCapture {
  result: RemoteJobResult;
  /** The remote output (stdout and stderr, merged by the PTY), with CRLF turned back into LF. */
  output: string;
  timedOut: boolean;
}

// Runs a short remote command and collects its output, for listings such as `docker ps`;
// stopped (remote side included) after `timeoutMs` or when `signal` aborts.
export async function runRemote(
  destination: string,
  remoteArgv: readonly string[],
  options: SshRunOptions & { timeoutMs: number; signal?: AbortSignal },
): Promise<RemoteCapture> {
  const parts: string[] = [];
  const job = startRemoteJob(destination, remoteArgv, {
    ...options,
    graceMs: 1000,
    onChunk: (chunk) => {
      if (chunk.stream === 'stdout') parts.push(chunk.text);
    },
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    job.cancel();
  }, options.timeoutMs);
  const result = await job.done;
  clearTimeout(timer);
  return { result, output: parts.join('').replace(/\r\n/g, '\n'), timedOut };
}
