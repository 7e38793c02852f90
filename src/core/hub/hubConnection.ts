// A reporter's connection to the hub, one Socket.io socket per connection: when it goes, the socket
// goes with it, and so does anything socket.io buffered on it to send later. A report left there
// would otherwise be sent after a reconnect, behind or ahead of what the reporter sends again from
// its spool, and a job's end could reach the hub before its output.
import { hubSocket } from './socketClient';
import { ask, HubRefusal, type AskAnswer, type AskPayload, type HubClientSocket } from '../../shared/ask';
import { BYTES_PROTOCOL, HUB_PROTOCOL, type Ack, type CancelRequest, type HubAuth, type JobStoredEvent, type RunRequest } from '../../shared/hubProtocol';

/** The hub's answer to a request: its payload; 'lost' when none came in time (or no connection); `later` when the hub was busy and asks to send again after that many ms; `refused` with its reason. */
export type Answer<T> = { ok: T } | 'lost' | { later: number } | { refused: string };

/** What the connection tells its reporter. */
export interface ConnectionEvents {
  connected(): void;
  disconnected(reason: string): void;
  /** The hub stored a job's output up to `storedSeq`. */
  stored(event: JobStoredEvent): void;
  /** The hub asks to cancel a job of this reporter. */
  cancel(request: CancelRequest, reply: (answer: Ack) => void): void;
  /** The hub asks this window to run a target. */
  run(request: RunRequest, reply: (answer: Ack<{ jobId: string }>) => void): void;
}

/** The longest a busy hub may make a reporter wait before it sends again. */
const MAX_PAUSE_MS = 10_000;
/** After the hub closed the connection itself, connect again after this long. */
const RECONNECT_AFTER_CLOSE_MS = 1_000;

export class HubConnection {
  private socket: HubClientSocket | undefined;
  private retry: NodeJS.Timeout | undefined;
  /** The version the hub of this connection said it speaks; 1 until it says (a hub before version 4 never does). */
  private hubProtocol = 1;

  constructor(
    private url: string,
    private token: string,
    /** Who reports: the window's id, and its key (sent in the handshake only). */
    private readonly reporter: { reporter: string; key: string },
    private readonly events: ConnectionEvents,
    private readonly log: (message: string) => void,
  ) {
    this.open();
  }

  get connected(): boolean {
    return this.socket?.connected ?? false;
  }

  /** The hub of this connection takes chunk text as bytes. */
  get takesBytes(): boolean {
    return this.hubProtocol >= BYTES_PROTOCOL;
  }

  /** One acknowledged request on the current connection. */
  async request<E extends 'report:started' | 'report:chunks' | 'report:finished' | 'report:catalog'>(event: E, payload: AskPayload<E>, timeoutMs: number): Promise<Answer<AskAnswer<E>>> {
    const socket = this.socket;
    if (!socket?.connected) return 'lost';
    try {
      return { ok: await ask(socket, event, payload, timeoutMs) };
    } catch (err) {
      if (!(err instanceof HubRefusal)) return 'lost';
      return err.retryAfterMs === undefined ? { refused: err.message } : { later: Math.min(Math.max(0, err.retryAfterMs), MAX_PAUSE_MS) };
    }
  }

  /** Connects to another hub (e.g. one started anew on another port). */
  retarget(url: string, token: string): void {
    this.url = url;
    this.token = token;
    this.reconnect();
  }

  /** Drops the connection, with what it had not sent, and opens a new one. */
  reconnect(): void {
    this.drop('reconnecting');
    this.open();
  }

  close(): void {
    this.drop('closed');
  }

  private open(): void {
    const socket = hubSocket(this.url, {
      auth: { token: this.token, ...this.reporter, protocol: HUB_PROTOCOL } satisfies HubAuth,
      // Until the first connect; after that a new socket connects (see 'disconnect').
      reconnection: true,
      reconnectionDelay: 200,
      reconnectionDelayMax: 2000,
      timeout: 5000,
    });
    this.socket = socket;
    this.hubProtocol = 1;
    socket.on('hub:hello', (hello) => {
      if (this.socket === socket && Number.isInteger(hello?.protocol)) this.hubProtocol = hello.protocol;
    });
    socket.on('connect', () => this.events.connected());
    socket.on('disconnect', (reason) => {
      if (this.socket !== socket) return;
      this.drop(reason);
      // The hub closed it: give it a moment before connecting again.
      if (reason === 'io server disconnect') this.retry = setTimeout(() => this.open(), RECONNECT_AFTER_CLOSE_MS).unref();
      else this.open();
    });
    socket.on('connect_error', (err) => this.log(`Cannot reach the hub: ${err.message}`));
    socket.on('report:stored', (event) => this.events.stored(event));
    socket.on('cancel-job', (request, reply) => this.events.cancel(request, reply));
    socket.on('run-job', (request, reply) => this.events.run(request, reply));
  }

  private drop(reason: string): void {
    clearTimeout(this.retry);
    const socket = this.socket;
    this.socket = undefined;
    if (!socket) return;
    socket.removeAllListeners();
    socket.disconnect();
    this.events.disconnected(reason);
  }
}
