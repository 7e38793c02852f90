import { closeSync, constants as fs, openSync } from 'node:fs';
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
  const slave = holdSlave(term);
  let exited = false;
  // With `encoding: null` node-pty hands over Buffers, whatever its typings say.
  term.onData((data) => events.data('stdout', data as unknown as Buffer));
  // node-pty reports the exit once the terminal is closed: with the terminal held open, when
  // the output has been read or 200 ms after the program ended.
  term.onExit(({ exitCode, signal }) => {
    exited = true;
    if (slave !== undefined) closeSync(slave);
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

// On Linux the terminal reads as ended once the program's last descriptor of it closes, even
// with output still unread, so a program that prints a lot and exits at once loses its last
// kilobytes. Holding the terminal open here keeps that output readable.
function holdSlave(term: NodePty.IPty): number | undefined {
  const ptsName = (term as unknown as { ptsName?: string }).ptsName;
  if (!ptsName) return undefined;
  try {
    return openSync(ptsName, fs.O_RDWR | fs.O_NOCTTY);
  } catch {
    return undefined; // Already gone: nothing more to read.
  }
}

function signalName(signal: number): NodeJS.Signals | null {
  const entry = Object.entries(constants.signals).find(([, number]) => number === signal);
  return entry ? (entry[0] as NodeJS.Signals) : null;
}
