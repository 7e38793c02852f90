// The relay of the ingest bench's relay limit (_relayLimit.ts), a process of its own as a hub is.
// Told { url, sql } over IPC, it connects to PostgreSQL, listens on a loopback WebSocket and says
// { port }. The first client's binary messages go, as they come and untouched, into one
// `COPY … FROM STDIN`; a text message ends it, and the relay answers that with { rows } or
// { error }.
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { WebSocketServer } from 'ws';
import { copyFromStdin } from './_pgCopy';

/** The messages of one client, read once in order by the COPY as they come. */
class Parts implements AsyncIterable<Buffer> {
  private readonly queue: Buffer[] = [];
  private ended = false;
  private wake: (() => void) | undefined;

  push(part: Buffer): void {
    this.queue.push(part);
    this.wake?.();
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (;;) {
      const part = this.queue.shift();
      if (part) yield part;
      else if (this.ended) return;
      else await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

process.once('message', ({ url, sql }: { url: string; sql: string }) => {
  const db = new pg.Client({ connectionString: url });
  void db.connect().then(() => {
    const server: WebSocketServer = new WebSocketServer({ host: '127.0.0.1', port: 0 }, (): void => {
      process.send!({ port: (server.address() as AddressInfo).port });
    });
    server.once('connection', (socket) => {
      const parts = new Parts();
      socket.on('message', (data: Buffer, isBinary) => (isBinary ? parts.push(data) : parts.end()));
      // It stays until the bench, having read its CPU time, stops it.
      copyFromStdin(db, sql, parts).then(
        (rows) => socket.send(JSON.stringify({ rows })),
        (error: unknown) => socket.send(JSON.stringify({ error: String(error) })),
      );
    });
  });
});
