import { spawn } from 'node:child_process';
import type { SpawnRequest, Transport, TransportEvents, TransportExit } from './transport';

/** How long output may keep coming after the program exited (a background child holding the pipes). */
const DRAIN_MS = 200;

// Runs a program with pipes, in a session and process group of its own (`detached: true` calls
// setsid). stdout and stderr stay apart; FORCE_COLOR=1 asks Node-based tools for colours anyway.
export function spawnPipes(request: SpawnRequest, events: TransportEvents): Transport {
  const env = { ...request.env, FORCE_COLOR: request.env.FORCE_COLOR ?? '1' };
  const child = spawn(request.file, request.args, { cwd: request.cwd, env, detached: true, stdio: 'pipe' });
  let ended = false;
  let drain: NodeJS.Timeout | undefined;
  const finish = (exit: TransportExit): void => {
    if (ended) return;
    ended = true;
    clearTimeout(drain);
    events.exit(exit);
  };

  child.stdout.on('data', (bytes: Buffer) => events.data('stdout', bytes));
  child.stderr.on('data', (bytes: Buffer) => events.data('stderr', bytes));
  // EPIPE when the program no longer reads its input: not the job's failure.
  child.stdin.on('error', () => undefined);
  child.on('error', (error) => {
    if (child.pid === undefined) finish({ exitCode: null, signal: null, error });
  });
  child.on('exit', (exitCode, signal) => {
    drain = setTimeout(() => {
      child.stdout.destroy();
      child.stderr.destroy();
      finish({ exitCode, signal });
    }, DRAIN_MS);
  });
  child.on('close', (exitCode, signal) => finish({ exitCode, signal }));

  return {
    kind: 'pipes',
    pid: child.pid,
    write: (data) => {
      if (child.stdin.writable) child.stdin.write(data);
    },
    resize: () => undefined,
  };
}
