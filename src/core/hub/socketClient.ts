import type * as SocketIoClient from 'socket.io-client';

// socket.io-client (with ws) is about a third of the extension's bundle, and its modules take tens
// of milliseconds to evaluate; a window only needs it once it reaches a hub, after activation.
// A require() in a function is evaluated on the first call (esbuild defers the modules it reaches).
export const io: typeof SocketIoClient.io = ((...args: Parameters<typeof SocketIoClient.io>) =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('socket.io-client') as typeof SocketIoClient).io(...args)) as typeof SocketIoClient.io;
