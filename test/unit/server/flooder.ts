// A hostile viewer, as a process of its own: sends `rate` jobs:list events a second to the hub at
// `url` for `ms` (from its first connection, which it announces with the line `flooding`),
// connecting again whenever it is disconnected. Then it waits, at most DRAIN_MS, until the hub has
// read what it sent: a hub on a loaded machine reads a flood later than it is sent (TCP holds the
// rest), and the refusals and the disconnect come when it reads it. Prints one JSON line with what
// it sent, the refusals it was told, how often it was disconnected and whether the hub drained.
import { setTimeout as sleep } from 'node:timers/promises';
import { io, type Socket } from 'socket.io-client';

const [url, token, ms, rate] = process.argv.slice(2);
const TICK_MS = 5;
const DRAIN_MS = 60_000;

/** Resolves once the hub has answered an event sent after everything else, or has disconnected the socket. */
function drained(socket: Socket): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), DRAIN_MS);
    const done = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    socket.once('disconnect', done);
    socket.emit('jobs:list', { limit: 1 }, done);
  });
}

async function main(): Promise<void> {
  let end = Infinity;
  const perTick = (Number(rate) * TICK_MS) / 1000;
  const refusals = new Set<string>();
  let sent = 0;
  let disconnects = 0;
  let drainedAll = true;
  while (Date.now() < end) {
    const socket = io(`${url}/jobs`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    const connected = await new Promise<boolean>((resolve) => {
      socket.once('connect', () => resolve(true));
      socket.once('connect_error', () => resolve(false));
    });
    if (connected && sent === 0) {
      end = Date.now() + Number(ms);
      process.stdout.write('flooding\n');
    }
    socket.on('job:error', (e: { message: string }) => refusals.add(e.message.replace(/\d+(\.\d+)? ms/, 'N ms')));
    while (connected && socket.connected && Date.now() < end) {
      for (let i = 0; i < perTick; i++) socket.emit('jobs:list', { limit: 50 });
      sent += perTick;
      await sleep(TICK_MS);
    }
    if (connected && socket.connected) drainedAll = await drained(socket);
    if (connected && !socket.connected) disconnects++;
    socket.close();
  }
  process.stdout.write(`${JSON.stringify({ sent, disconnects, refusals: [...refusals], drained: drainedAll })}\n`);
}

void main();
