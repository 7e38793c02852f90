import type { Server } from 'node:net';

function listenOnce(server: Server, host: string, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

// Listens on `host`:`preferred` when it is given and free, else on `port`. The port is tried by
// taking it, not checked first, so no other program can take it in between; only "taken"
// (EADDRINUSE) falls back, any other failure is the caller's.
export async function listen(server: Server, host: string, port: number, preferred?: number): Promise<void> {
  if (preferred !== undefined) {
    try {
      return await listenOnce(server, host, preferred);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    }
  }
  return listenOnce(server, host, port);
}
