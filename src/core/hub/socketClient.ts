import type * as SocketIoClient from 'socket.io-client';
import type { HubClientSocket } from '../../shared/ask';
import { HUB_NAMESPACE } from '../../shared/hubProtocol';

type HubSocketOptions = Partial<SocketIoClient.ManagerOptions & SocketIoClient.SocketOptions>;

/** A socket of its own to the namespace of the hub at `url`, over WebSocket alone. */
export function hubSocket(url: string, options: HubSocketOptions): HubClientSocket {
  // socket.io-client (with ws) is about a third of the extension's bundle, and its modules take
  // tens of milliseconds to evaluate; a window only needs it once it reaches a hub, after
  // activation. A require() in a function is evaluated on the first call (esbuild defers the
  // modules it reaches).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { io } = require('socket.io-client') as typeof SocketIoClient;
  return io(`${url}${HUB_NAMESPACE}`, { ...options, transports: ['websocket'], forceNew: true });
}
