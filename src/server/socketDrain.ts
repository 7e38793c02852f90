import type { HubSocket } from './types';

/** The part of engine.io's connection that tells whether what was sent has left the process. */
interface Connection {
  writeBuffer: unknown[];
  once(event: 'drain' | 'close', listener: () => void): void;
  off(event: 'drain' | 'close', listener: () => void): void;
}

// Resolves once the socket's transport took everything queued (or the socket closed): a long
// replay is sent a page at a time at the pace the client reads, not all into memory.
export function written(socket: HubSocket): Promise<void> {
  const conn = socket.conn as unknown as Connection;
  if (!Array.isArray(conn.writeBuffer) || conn.writeBuffer.length === 0 || !socket.connected) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      conn.off('drain', done);
      conn.off('close', done);
      resolve();
    };
    conn.once('drain', done);
    conn.once('close', done);
  });
}
