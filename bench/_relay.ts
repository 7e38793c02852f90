// The relay of the ingest bench's relay limit (_relayLimit.ts), a process of its own as a hub is.
// Told { url, sql } over IPC, it connects to PostgreSQL, listens on a loopback WebSocket and says
// { port }. The first client's binary messages go, as they come and untouched, into one
// `COPY … FROM STDIN`; a text message ends it, and the relay answers that with { rows } or
// { error }.
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { WebSocketServer } from 'ws';
import { copyFromStdin, Parts } from './_pgCopy';

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
