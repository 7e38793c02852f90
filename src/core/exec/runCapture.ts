import { spawn } from 'node:child_process';
import { terminateGroup } from './killGroup';
import { OutputFile } from './outputFile';

export interface CaptureOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Output kept per stream; the rest is dropped and `truncated` set. */
  maxBytes?: number;
}

/** How a short-lived command ended: errors are data, a non-zero exit is not thrown. */
export interface CaptureResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  canceled: boolean;
  truncated: boolean;
  durationMs: number;
  /** Set when the program could not be started at all (ENOENT, EACCES …). */
  spawnError?: Error;
}

const GRACE_MS = 1000;

/** The most of a program's stdout (and of its stderr) kept by default; the rest is dropped, `truncated` says so. */
export const CAPTURE_MAX_BYTES = 16 * 1024 * 1024;

// Runs a program without a shell in its own process group and collects its output; a timeout
// or an abort stops the whole group so nothing it started is left behind. stdout goes to an
// OutputFile (a pipe only when the temporary folder takes no file), stderr through a pipe.
export function runCapture(file: string, args: readonly string[], options: CaptureOptions): Promise<CaptureResult> {
  const started = performance.now();
  const maxBytes = options.maxBytes ?? CAPTURE_MAX_BYTES;
  const outputFile = OutputFile.open();
  return new Promise((resolve) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(file, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', outputFile?.fd ?? 'pipe', 'pipe'] });
    } catch (err) {
      // Arguments spawn refuses (a NUL in one, say) throw here, with no 'close' to read the file.
      outputFile?.close();
      throw err;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let truncated = false;
    let timedOut = false;
    let canceled = false;
    let spawnError: Error | undefined;

    child.stdout?.on('data', (b: Buffer) => {
      if (outBytes + b.length > maxBytes) truncated = true;
      else out.push(b);
      outBytes += b.length;
    });
    child.stderr?.on('data', (b: Buffer) => {
      if (errBytes + b.length > maxBytes) truncated = true;
      else err.push(b);
      errBytes += b.length;
    });

    const stop = (): void => terminateGroup(child, GRACE_MS);
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs);
    const onAbort = (): void => {
      canceled = true;
      stop();
    };
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });

    child.on('error', (e) => {
      spawnError = e;
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      const written = outputFile?.read(maxBytes);
      if (written?.truncated) truncated = true;
      resolve({
        exitCode,
        signal,
        stdout: (written?.bytes ?? Buffer.concat(out)).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        canceled,
        truncated,
        durationMs: performance.now() - started,
        ...(spawnError ? { spawnError } : {}),
      });
    });
  });
}
