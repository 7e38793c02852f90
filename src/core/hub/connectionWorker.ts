// The thread of a ConnectionThread (connectionThread.ts): a HubConnection whose requests and
// events cross to the window's thread as messages.
import { parentPort, workerData } from 'node:worker_threads';
import { assertNever } from '../../shared/errors';
import type { Ack } from '../../shared/hubProtocol';
import type { ConnectionData, FromThread, ToThread } from './connectionThread';
import { HubConnection } from './hubConnection';

const port = parentPort!;
const data = workerData as ConnectionData;
const tell = (message: FromThread): void => port.postMessage(message);
/** The hub's requests (cancel, run) waiting for the window's answer. */
const replies = new Map<number, (answer: Ack<object>) => void>();
let nextId = 1;

/** Keeps the hub's `reply` until the window answers; returns the id the answer comes back with. */
function awaitReply<T extends object>(reply: (answer: Ack<T>) => void): number {
  const id = nextId++;
  // The window answers the request it was sent with the answer of its kind.
  replies.set(id, (answer) => reply(answer as Ack<T>));
  return id;
}

const connection = new HubConnection(
  data.url,
  data.token,
  data.reporterId,
  {
    connected: () => tell({ type: 'connected' }),
    disconnected: (reason) => tell({ type: 'disconnected', reason }),
    stored: (event) => tell({ type: 'stored', event }),
    cancel: (request, reply) => tell({ type: 'cancel', id: awaitReply(reply), request }),
    run: (request, reply) => tell({ type: 'run', id: awaitReply(reply), request }),
  },
  (message) => tell({ type: 'log', message }),
);

port.on('message', (message: ToThread) => {
  switch (message.type) {
    case 'request':
      void connection.request(message.event, message.payload, message.timeoutMs).then((answer) => tell({ type: 'answer', id: message.id, answer }));
      return;
    case 'reply':
      replies.get(message.id)?.(message.answer);
      replies.delete(message.id);
      return;
    case 'retarget':
      return connection.retarget(message.url, message.token);
    case 'reconnect':
      return connection.reconnect();
    case 'close':
      connection.close();
      // Nothing else keeps the thread: it ends once the socket has closed.
      port.close();
      return;
    default:
      return assertNever(message);
  }
});
