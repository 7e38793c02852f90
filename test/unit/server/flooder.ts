// A hostile viewer, as a process of its own: sends `rate` jobs:list events a second to the hub at
// `url` for `ms` (from its first connection, which it announces with the line `flooding`), connecting again whenever it is disconnected; prints one JSON line with what it
// sent, the refusals it was told and how often it was disconnected.
import { setTimeout as sleep } from 'node:timers/promises';
import { io } from 'socket.io-client';

const [url, token, ms, rate] = process.argv.slice(2);
const TICK_MS = 5;

async function main(): Promise<void> {
  let end = Infinity;
  const perTick = (Number(rate) * TICK_MS) / 1000;
  const refusals = new Set<string>();
  let sent = 0;
  let disconnects = 0;
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
    if (connected && !socket.connected) disconnects++;
    socket.close();
  }
  process.stdout.write(`${JSON.stringify({ sent, disconnects, refusals: [...refusals] })}\n`);
}

void main();
