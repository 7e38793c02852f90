import { constants } from 'node:os';
import type * as NodePty from 'node-pty';
import type { SpawnRequest, Transport, TransportEvents } from './transport';

// Runs a program on a pseudo-terminal, so it sees a TTY: colours, progress bars, line-buffered
// output. node-pty makes it a session leader with the terminal as its controlling TTY, so its
// pid is also its process group. stdout and stderr arrive merged, as `stdout`, with CRLF endings.
export function spawnPty(pty: typeof NodePty, request: SpawnRequest, events: TransportEvents): Transport {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(request.env)) if (value !== undefined) env[key] = value;
  const term = pty.spawn(request.file, request.args, {
    name: env.TERM ?? 'xterm-256color',
    cols: request.cols,
    rows: request.rows,
    cwd: request.cwd,
    env,
    // Raw bytes: the job runner decodes them itself, as a stream.
    encoding: null,
  });
  let exited = false;
  // With `encoding: null` node-pty hands over Buffers, whatever its typings say.
  term.onData((data) => events.data('stdout', data as unknown as Buffer));
  // node-pty reports this only after the terminal's output has been read to the end.
  term.onExit(({ exitCode, signal }) => {
    exited = true;
    events.exit(signal ? { exitCode: null, signal: signalName(signal) } : { exitCode, signal: null });
  });

  return {
    kind: 'pty',
    pid: term.pid,
    write: (data) => {
      if (!exited) term.write(data);
    },
    resize: (cols, rows) => {
      if (!exited) term.resize(cols, rows);
    },
  };
}

function signalName(signal: number): NodeJS.Signals | null {
  const entry = Object.entries(constants.signals).find(([, number]) => number === signal);
  return entry ? (entry[0] as NodeJS.Signals) : null;
}
