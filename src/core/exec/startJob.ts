import { randomUUID } from 'node:crypto';
import type { Chunk, JobResult } from '../../shared/jobs';
import { assertJobTag, JOB_TAG_VARIABLE } from './jobTag';
import { LineChunker, type ChunkingOptions } from './lineChunker';
import { spawnPipes } from './pipeTransport';
import { loadPty } from './ptyLoader';
import { spawnPty } from './ptyTransport';
import { terminateTree, type TerminateOutcome } from './terminateTree';
import type { SpawnRequest, Transport, TransportEvents, TransportExit, TransportKind } from './transport';

/** What to run. */
export interface JobSpec {
  /** The program and its arguments, each passed verbatim: never a shell string. */
  argv: readonly string[];
  cwd?: string;
  /** The program's whole environment; default: ours. `VMO_JOB_ID=<tag>` is added to it. */
  env?: NodeJS.ProcessEnv;
  /**
   * Marks every process of the job for cancel to find (see jobTag.ts), e.g. the job's id; default
   * a fresh UUID. Two jobs running at once must not share one: canceling either stops both.
   */
  tag?: string;
  /** Run on a pseudo-terminal when node-pty loads, else (and when false) with pipes. */
  usePty: boolean;
  cols?: number;
  rows?: number;
}

/** Where a job's output and end go, and how it is stopped. */
export interface JobOptions extends ChunkingOptions {
  onChunk(chunk: Chunk): void;
  onExit?(result: JobResult): void;
  /** How long cancel waits after SIGTERM before SIGKILL; default 5000 ms. */
  graceMs?: number;
  /** Aborting it cancels the job. */
  signal?: AbortSignal;
  /**
   * More to stop on cancel, alongside the local processes (the remote side of an ssh job); the
   * job ends once both are done. It must not reject; what it resolves to is noted in the log.
   */
  onCancel?(graceMs: number): Promise<string | undefined>;
}

/** A job that was started; it ends once, with `onExit` and `done`. */
export interface RunningJob {
  readonly transport: TransportKind;
  /** Why a requested pseudo-terminal was not used, for the job's log. */
  readonly ptyError?: string;
  /** Leader of the job's session and process group; undefined when it could not be started. */
  readonly pid: number | undefined;
  /** The value of VMO_JOB_ID in the environment of the job's processes. */
  readonly tag: string;
  readonly done: Promise<JobResult>;
  /** Input for the program, as typed on a terminal. */
  write(data: string): void;
  /** New terminal size; nothing happens with pipes. */
  resize(cols: number, rows: number): void;
  /** SIGTERM to everything the job started, SIGKILL after `graceMs` (default: the job's); the job ends `canceled`. */
  cancel(graceMs?: number): void;
  /** Writes a `system` line into the job's output, in order with what the program printed. */
  note(text: string): void;
}

const DEFAULT_GRACE_MS = 5000;

// Starts a program without a shell, in its own session and process group, and streams its
// output as numbered chunks. The result is data: a non-zero exit, a signal or a program that
// could not be started all end in a JobResult, never in a throw. Bad argv throws at once.
export function startJob(spec: JobSpec, options: JobOptions): RunningJob {
  const [file, ...args] = checkedArgv(spec.argv);
  const tag = spec.tag ?? randomUUID();
  assertJobTag(tag);
  let graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  const started = performance.now();
  const chunker = new LineChunker(options.onChunk, options);
  let canceling: Promise<[TerminateOutcome, string | undefined]> | undefined;
  let finished = false;
  let resolveDone!: (result: JobResult) => void;
  const done = new Promise<JobResult>((resolve) => (resolveDone = resolve));

  const finish = async (exit: TransportExit): Promise<void> => {
    const [outcome, elsewhere] = canceling ? await canceling : [];
    finished = true;
    options.signal?.removeEventListener('abort', abort);
    chunker.end();
    if (exit.error) chunker.note(`Could not start ${JSON.stringify(file)}: ${exit.error.message}\n`);
    if (outcome?.escalated) chunker.note(`Still running ${graceMs} ms after SIGTERM: sent SIGKILL.\n`);
    if (outcome?.survivors.length) chunker.note(`Still running after SIGKILL: pid ${outcome.survivors.join(', ')}.\n`);
    if (elsewhere) chunker.note(elsewhere.endsWith('\n') ? elsewhere : `${elsewhere}\n`);
    const result: JobResult = {
      status: canceling ? 'canceled' : exit.exitCode === 0 ? 'success' : 'failed',
      exitCode: exit.exitCode,
      signal: exit.signal,
      durationMs: Math.round(performance.now() - started),
      finishedAt: Date.now(),
    };
    options.onExit?.(result);
    resolveDone(result);
  };
  const events: TransportEvents = {
    data: (stream, bytes) => chunker.write(stream, bytes),
    exit: (exit) => void finish(exit),
  };
  const request: SpawnRequest = { file, args, cwd: spec.cwd, env: { ...(spec.env ?? process.env), [JOB_TAG_VARIABLE]: tag }, cols: spec.cols ?? 80, rows: spec.rows ?? 24 };
  const { transport, ptyError } = open(spec.usePty, request, events);

  function cancel(grace?: number): void {
    if (finished || canceling || transport.pid === undefined) return;
    graceMs = grace ?? graceMs;
    canceling = Promise.all([terminateTree(transport.pid, graceMs, tag), options.onCancel?.(graceMs)]);
  }
  const abort = (): void => cancel();
  if (options.signal?.aborted) abort();
  else options.signal?.addEventListener('abort', abort, { once: true });

  return {
    transport: transport.kind,
    ...(ptyError ? { ptyError } : {}),
    pid: transport.pid,
    tag,
    done,
    write: (data) => transport.write(data),
    resize: (cols, rows) => transport.resize(cols, rows),
    cancel,
    note: (text) => {
      if (!finished) chunker.note(text.endsWith('\n') ? text : `${text}\n`);
    },
  };
}

/** A pseudo-terminal when asked for and node-pty both loads and starts, else pipes. */
function open(usePty: boolean, request: SpawnRequest, events: TransportEvents): { transport: Transport; ptyError?: string } {
  if (!usePty) return { transport: spawnPipes(request, events) };
  const loaded = loadPty();
  if ('error' in loaded) return { transport: spawnPipes(request, events), ptyError: `node-pty could not be loaded: ${loaded.error}` };
  try {
    return { transport: spawnPty(loaded.pty, request, events) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { transport: spawnPipes(request, events), ptyError: `node-pty could not start a terminal: ${message}` };
  }
}

function checkedArgv(argv: readonly string[]): [string, ...string[]] {
  if (argv.length === 0 || argv[0] === '') throw new Error(`Expected a program to run, got ${JSON.stringify(argv)}`);
  const withNul = argv.find((word) => word.includes('\0'));
  if (withNul !== undefined) throw new Error(`Expected arguments without NUL bytes, got ${JSON.stringify(withNul)}`);
  return [argv[0], ...argv.slice(1)];
}
