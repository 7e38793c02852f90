// A TCP proxy on loopback that holds every byte sent to the server for `delayMs` before passing it
// on, so that each round trip to the database costs that much more, as across a LAN. Replies pass
// straight back: one delay per round trip. Bounded: at most `maxConnections` at once, and a side
// whose bytes wait beyond MAX_HELD_BYTES is paused until they are written.
import net from 'node:net';

const MAX_HELD_BYTES = 4 * 2 ** 20;

export interface DelayProxy {
  /** 127.0.0.1:<port> of the proxy. */
  host: string;
  port: number;
  close(): Promise<void>;
}

// Passes `from`'s data to `to` after `delayMs`, in order; pauses `from` while too much is held.
function delayed(from: net.Socket, to: net.Socket, delayMs: number): void {
  const held: { data: Buffer; due: number }[] = [];
  let heldBytes = 0;
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  const flush = (): void => {
    timer = undefined;
    const now = performance.now();
    while (held.length > 0 && held[0]!.due <= now) {
      const { data } = held.shift()!;
      heldBytes -= data.length;
      to.write(data);
    }
    if (heldBytes <= MAX_HELD_BYTES && !to.writableNeedDrain) from.resume();
    if (held.length > 0) timer = setTimeout(flush, Math.max(0, held[0]!.due - now));
    else if (ended) to.end();
  };
  to.on('drain', () => heldBytes <= MAX_HELD_BYTES && from.resume());
  from.on('data', (data: Buffer) => {
    held.push({ data, due: performance.now() + delayMs });
    heldBytes += data.length;
    if (heldBytes > MAX_HELD_BYTES || to.writableNeedDrain) from.pause();
    timer ??= setTimeout(flush, delayMs);
  });
  // What is still held goes first; then the other side hears the end.
  from.on('end', () => {
    ended = true;
    if (held.length === 0) to.end();
  });
}

/** Starts the proxy to `target` (host:port of the server); resolves once it listens. */
export function startDelayProxy(target: { host: string; port: number }, delayMs: number, maxConnections = 32): Promise<DelayProxy> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      s.setNoDelay(true);
      sockets.add(s);
      s.on('error', () => (client.destroy(), upstream.destroy()));
      s.on('close', () => (sockets.delete(s), client.destroy(), upstream.destroy()));
    }
    delayed(client, upstream, delayMs);
    upstream.pipe(client);
  });
  server.maxConnections = maxConnections;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      resolve({
        host: '127.0.0.1',
        port,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
