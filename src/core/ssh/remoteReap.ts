import { startJob } from '../exec/startJob';
import { assertJobTag, JOB_TAG_VARIABLE } from '../exec/jobTag';
import { assertSshDestination } from './destination';
import type { SshRunOptions } from './remoteCommand';
import { classifySshFailure } from './remoteFailure';
import { remoteShellCommand } from './remoteQuote';

// The hang-up of the remote PTY stops a command's session, but not what left it (`setsid cmd &`)
// nor what ignores SIGHUP (`nohup`, `trap '' HUP`). Cancel therefore also opens a second, short
// ssh connection that runs REAP_SCRIPT on the VM: SIGTERM to every process whose environment
// holds VMO_JOB_ID=<tag> (set by remoteShellCommand), SIGKILL to those still there after the
// grace period. It reads /proc, so Linux only: a VM without /proc gets the hang-up alone, and
// a process that cleared its environment (env -i, sudo) escapes, as locally (jobTag.ts).

// POSIX sh, fixed text: the tag ($1) and the grace period in tenths of a second ($2) are
// arguments. grep -z reads environ's NUL-separated entries and -x matches one whole entry; a grep
// without -z gets each file through tr, one grep per process. Each pid is checked again right
// before it is signaled (it may have ended and its pid been reused). The script's own processes
// do not carry the tag: their environment comes from this connection, not from the job.
// It prints `vmo-reap <signaled with SIGTERM> <signaled with SIGKILL> <left>`, or `vmo-reap no-proc`.
// Exported for its tests, which run it on this machine.
export const REAP_SCRIPT = [
  `t="${JOB_TAG_VARIABLE}=$1"; g=$2`,
  "[ -r /proc/self/environ ] || { echo 'vmo-reap no-proc'; exit 0; }",
  "if printf 'x\\0' | grep -qzx x 2>/dev/null; then",
  '  has() { grep -qzxF -e "$t" "/proc/$1/environ" 2>/dev/null; }',
  "  list() { grep -lzxF -e \"$t\" /proc/[0-9]*/environ 2>/dev/null | sed 's,^/proc/,,;s,/environ$,,'; }",
  'else',
  "  has() { { tr '\\0' '\\n' <\"/proc/$1/environ\"; } 2>/dev/null | grep -qxF -e \"$t\"; }",
  '  list() { for f in /proc/[0-9]*; do p=${f#/proc/}; has "$p" && echo "$p"; done; }',
  'fi',
  'nap() { sleep 0.1 2>/dev/null || { sleep 1; i=$((i+9)); }; }',
  'sig() { n=0; for p in $(list); do has "$p" && kill -s "$1" "$p" 2>/dev/null && n=$((n+1)); done; }',
  'sig TERM; a=$n; i=0',
  'while [ "$i" -lt "$g" ] && [ -n "$(list)" ]; do nap; i=$((i+1)); done',
  'sig KILL; b=$n; [ "$b" -gt 0 ] && nap',
  'echo "vmo-reap $a $b $(list | wc -l)"',
].join('\n');

/** How long the connection may take to open: an unreachable VM must not hold up a cancel. */
const CONNECT_TIMEOUT_S = 5;
/** What the whole reap may take beyond the grace period before its ssh is stopped. */
const REAP_SLACK_MS = 5000;

// The ssh argv that runs REAP_SCRIPT for `tag` on `destination`: no PTY, no input, BatchMode,
// a short connect timeout, the same config file and host-key policy as the job's connection.
export function sshReapArgv(destination: string, tag: string, graceMs: number, options: SshRunOptions = {}): string[] {
  assertSshDestination(destination);
  assertJobTag(tag);
  const tenths = String(Math.max(1, Math.ceil(graceMs / 100)));
  return [
    options.sshBinary ?? 'ssh',
    ...(options.configFile !== undefined ? ['-F', options.configFile] : []),
    '-T',
    '-n',
    '-o',
    'BatchMode=yes',
    '-o',
    `ConnectTimeout=${CONNECT_TIMEOUT_S}`,
    '-o',
    'ServerAliveInterval=2',
    '-o',
    'ServerAliveCountMax=2',
    '-o',
    'LogLevel=ERROR',
    ...(options.acceptNewHostKey ? ['-o', 'StrictHostKeyChecking=accept-new'] : []),
    '--',
    destination,
    remoteShellCommand(['sh', '-c', REAP_SCRIPT, 'vmo-reap', tag, tenths]),
  ];
}

// Stops what a canceled command left on the VM (see above). Resolves, never rejects, within
// `graceMs` + 5 s, to a line for the job's log when there is something to say (a process needed
// SIGKILL or survived, the VM has no /proc, it could not be reached), else undefined.
export async function reapRemote(destination: string, tag: string, graceMs: number, options: SshRunOptions = {}): Promise<string | undefined> {
  let stdout = '';
  let stderr = '';
  let job;
  try {
    job = startJob(
      { argv: sshReapArgv(destination, tag, graceMs, options), usePty: false },
      { onChunk: (chunk) => (chunk.stream === 'stdout' ? (stdout += chunk.text) : chunk.stream === 'stderr' ? (stderr += chunk.text) : undefined), graceMs: 500 },
    );
  } catch (error) {
    return `Could not stop what the command left on the VM: ${(error as Error).message}`;
  }
  const timer = setTimeout(() => job.cancel(), graceMs + REAP_SLACK_MS);
  const result = await job.done;
  clearTimeout(timer);
  const report = /^vmo-reap (.*)$/m.exec(stdout)?.[1]?.trim();
  if (report === 'no-proc') return `${destination} has no /proc: what the command left running there and ignores the hang-up (setsid, nohup) was not looked for.`;
  const counts = report?.split(' ').map(Number);
  if (result.status === 'success' && counts?.length === 3 && counts.every(Number.isInteger)) {
    const [, killed, left] = counts;
    const lines = [];
    if (killed > 0) lines.push(`On ${destination}: ${processes(killed)} of the command still ran ${graceMs} ms after SIGTERM: sent SIGKILL.`);
    if (left > 0) lines.push(`On ${destination}: ${processes(left)} of the command still running after SIGKILL.`);
    return lines.length > 0 ? lines.join('\n') : undefined;
  }
  const why =
    result.status === 'canceled'
      ? `no answer within ${Math.round((graceMs + REAP_SLACK_MS) / 1000)} s`
      : (classifySshFailure(stderr, destination)?.message ?? (stderr.trim().split('\n').pop() || `ssh ended with ${result.exitCode ?? result.signal}`));
  return `Could not reach ${destination} again to stop what the command left running there (${why.replace(/\.$/, '')}); the hang-up alone stops only what stayed in its session.`;
}

function processes(n: number): string {
  return n === 1 ? '1 process' : `${n} processes`;
}
