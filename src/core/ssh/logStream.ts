import { randomUUID } from 'node:crypto';
import type { Chunk } from '../../shared/jobs';
import { LineChunker, type ChunkingOptions } from '../exec/lineChunker';
import type { LogFollower } from '../logs/logFollower';
import { Backoff, DEFAULT_BACKOFF, type BackoffPolicy } from './logStreamBackoff';
import type { SshRunOptions } from './remoteCommand';
import { TRANSIENT_SSH_FAILURES } from './remoteFailure';
import { startRemoteJob, type RemoteJobResult, type RunningRemoteJob } from './remoteJob';

/** Where a log stream's lines and end go. */
export interface LogStreamOptions extends ChunkingOptions, SshRunOptions {
  onChunk(chunk: Chunk): void;
  onExit?(result: RemoteJobResult): void;
  /** Aborting it stops the stream. */
  signal?: AbortSignal;
  backoff?: BackoffPolicy;
  /** Marks the remote processes of every connection, for cancel to find (remoteReap.ts); default a fresh UUID. */
  tag?: string;
}

/** A log stream that was started; it ends once: canceled, or when reconnecting cannot help. */
export interface RunningLogStream {
  /** The ssh argv of the current (or last) connection. */
  readonly argv: readonly string[];
  readonly done: Promise<RemoteJobResult>;
  /** Stops the stream, the remote command included; the stream ends `canceled`. */
  cancel(): void;
  /** Writes a `system` line into the stream, in order with the log lines. */
  note(text: string): void;
}

// Before the follower's command the remote side prints HEADER ($0) on a line of its own: it marks
// the moment the connection works, and whatever a login script printed before it is shown without
// being taken for a log line. It is the same for every stream, so that the command a job records
// (logStreamCommand) is the one that runs, and a rerun builds it again word for word.
const HEADER_SCRIPT = `printf '%s\\n' "$0"; exec "$@"`;
const HEADER = 'vmo-log-stream';

/** The remote argv of a log stream's next connection: the header, then the follower's command. */
export function logStreamCommand(follower: LogFollower): string[] {
  return ['sh', '-c', HEADER_SCRIPT, HEADER, ...follower.command()];
}

// Runs a log command on a VM as one long stream of lines, for a job of kind 'ssh-logs'. When
// the connection drops (ssh exits 255, or ssh fails in a way that may pass: refused, timeout,
// name resolution) it writes a `system` note and reconnects with exponential backoff; the
// follower resumes after the last line shown, so nothing is lost or shown twice (a command no
// follower knows runs again, and the note says its lines may repeat). It ends when
// canceled, when the remote command ends by itself, or when ssh fails for good (host key,
// permission denied), with `sshFailure` in the result for the UI to act on.
export function startLogStream(destination: string, follower: LogFollower, options: LogStreamOptions): RunningLogStream {
  // One tag for all connections: a cancel also stops what an earlier, dropped one left behind.
  const tag = options.tag ?? randomUUID();
  const chunker = new LineChunker(options.onChunk, options);
  const encoder = new TextEncoder();
  const backoff = new Backoff(options.backoff ?? DEFAULT_BACKOFF);
  const started = performance.now();
  let job: RunningRemoteJob | undefined;
  let argv: readonly string[] = [];
  let retry: NodeJS.Timeout | undefined;
  let canceled = false;
  let finished = false;
  let resolveDone!: (result: RemoteJobResult) => void;
  const done = new Promise<RemoteJobResult>((resolve) => (resolveDone = resolve));
  const show = (text: string): void => chunker.write('stdout', encoder.encode(text));

  const finish = (result: Omit<RemoteJobResult, 'durationMs' | 'finishedAt'>): void => {
    if (finished) return;
    finished = true;
    options.signal?.removeEventListener('abort', cancel);
    chunker.end();
    // Canceled: no exit code or signal, whatever the last connection ended with (see startRemoteJob).
    const ended = canceled ? { status: 'canceled' as const, exitCode: null, signal: null } : result;
    const final: RemoteJobResult = { ...ended, durationMs: Math.round(performance.now() - started), finishedAt: Date.now() };
    options.onExit?.(final);
    resolveDone(final);
  };

  const connect = (reconnecting: boolean): void => {
    retry = undefined;
    let pending = '';
    let connectedAt: number | undefined;
    const receive = (line: string): void => {
      if (connectedAt === undefined) {
        if (line !== HEADER) return show(`${line}\n`);
        connectedAt = performance.now();
        follower.connected();
        if (reconnecting) chunker.note(follower.resumes ? 'Reconnected.\n' : 'Reconnected. This command cannot resume where it stopped: it runs again, and lines may repeat.\n');
        return;
      }
      const text = follower.accept(line);
      if (text !== undefined) show(`${text}\n`);
    };
    const current = startRemoteJob(destination, logStreamCommand(follower), {
      ...options,
      tag,
      graceMs: 1000,
      signal: undefined,
      onExit: undefined,
      onChunk: (chunk) => {
        // The runner's own notes (ssh could not be started …) are passed on; ssh's messages
        // (stderr) are classified when it exits.
        if (chunk.stream === 'system') chunker.note(chunk.text);
        if (chunk.stream !== 'stdout') return;
        pending += chunk.text;
        for (let end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n')) {
          receive(pending.slice(0, end).replace(/\r$/, ''));
          pending = pending.slice(end + 1);
        }
      },
    });
    job = current;
    argv = current.argv;
    void current.done.then((result) => {
      if (canceled) return finish(result);
      const failure = result.sshFailure;
      // 255: ssh failed or lost the connection; a signal: ssh was killed, not by us. Neither
      // an exit code nor a signal: ssh could not be started, which retrying does not fix.
      const lost = (result.exitCode === 255 || result.signal !== null) && (failure === undefined || TRANSIENT_SSH_FAILURES.has(failure.kind));
      if (!lost) {
        // The command ended by itself (its last line may lack a line break), or ssh cannot get in.
        if (pending !== '') receive(pending.replace(/\r$/, ''));
        if (failure) chunker.note(failure.kind === 'changed-host-key' ? `${failure.warning}\n${failure.message}\n` : `${failure.message}\n`);
        return finish(result);
      }
      // A partial last line is dropped: the resumed command sends it again, whole.
      const delay = backoff.next(connectedAt === undefined ? 0 : performance.now() - connectedAt);
      const why = failure ? ` (${failure.message.replace(/\.$/, '')})` : '';
      chunker.note(`Connection lost${why}, reconnecting in ${formatDelay(delay)}.\n`);
      retry = setTimeout(() => connect(true), delay);
    });
  };

  function cancel(): void {
    if (finished || canceled) return;
    canceled = true;
    if (retry !== undefined) {
      clearTimeout(retry);
      finish({ status: 'canceled', exitCode: null, signal: null });
    } else {
      job?.cancel();
    }
  }

  connect(false);
  if (options.signal?.aborted) cancel();
  else options.signal?.addEventListener('abort', cancel, { once: true });

  return {
    get argv() {
      return argv;
    },
    done,
    cancel,
    note: (text) => {
      if (!finished) chunker.note(text.endsWith('\n') ? text : `${text}\n`);
    },
  };
}

/** "1 s", "1.5 s", "30 s". */
function formatDelay(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
