import { Worker } from 'node:worker_threads';
import type { AskAnswer, AskPayload } from '../../shared/ask';
import { assertNever } from '../../shared/errors';
import type { Ack, CancelRequest, JobStoredEvent, RunRequest } from '../../shared/hubProtocol';
import type { Answer, ConnectionEvents, ReportConnection, ReportEvent } from './hubConnection';

// A reporter's connection to the hub on a worker thread of its own (connectionWorker.ts). Sending
// a report costs its JSON encoding, the WebSocket's framing and the socket write: about 15 ms per
// MB of output on the thread that sends. On the extension host's thread that is time in which
// the job's pseudo-terminal is not read, so a flooding job waits for its own reports; here the
// host only copies each report to the thread.

/** What the window asks of the connection's thread. */
export type ToThread =
  | { type: 'request'; id: number; event: ReportEvent; payload: AskPayload<ReportEvent>; timeoutMs: number }
  | { type: 'reply'; id: number; answer: Ack<object> }
  | { type: 'retarget'; url: string; token: string }
  | { type: 'reconnect' }
  | { type: 'close' };

/** What the connection's thread tells the window. */
export type FromThread =
  | { type: 'connected' }
  | { type: 'disconnected'; reason: string }
  | { type: 'answer'; id: number; answer: Answer<object> }
  | { type: 'stored'; event: JobStoredEvent }
  | { type: 'cancel'; id: number; request: CancelRequest }
  | { type: 'run'; id: number; request: RunRequest }
  | { type: 'log'; message: string };

/** What the connection's thread is started with. */
export interface ConnectionData {
  url: string;
  token: string;
  reporterId: string;
}

/** A thread that stopped on its own is started again after this long. */
const RESTART_MS = 1000;

export class ConnectionThread implements ReportConnection {
  private worker: Worker | undefined;
  private isConnected = false;
  private closed = false;
  private nextId = 1;
  private readonly answers = new Map<number, (answer: Answer<object>) => void>();

  constructor(
    private readonly script: string,
    private data: ConnectionData,
    private readonly events: ConnectionEvents,
    private readonly log: (message: string) => void,
  ) {
    this.start();
  }

  get connected(): boolean {
    return this.isConnected;
  }

  request<E extends ReportEvent>(event: E, payload: AskPayload<E>, timeoutMs: number): Promise<Answer<AskAnswer<E>>> {
    if (!this.worker || !this.isConnected) return Promise.resolve('lost');
    const id = this.nextId++;
    this.post({ type: 'request', id, event, payload, timeoutMs });
    return new Promise((resolve) => this.answers.set(id, resolve as (answer: Answer<object>) => void));
  }

  retarget(url: string, token: string): void {
    this.data = { ...this.data, url, token };
    this.post({ type: 'retarget', url, token });
  }

  reconnect(): void {
    this.post({ type: 'reconnect' });
  }

  // As HubConnection.close(): the reporter hears of the loss at once, and spools what is not
  // stored before the window may go away.
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.post({ type: 'close' });
    this.lose('closed');
  }

  private post(message: ToThread): void {
    this.worker?.postMessage(message);
  }

  private start(): void {
    const worker = new Worker(this.script, { workerData: this.data });
    this.worker = worker;
    worker.on('message', (message: FromThread) => this.heard(message));
    worker.on('error', (err) => this.log(`The hub connection's thread failed: ${err.message}`));
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      if (this.closed) return;
      this.lose('its thread stopped');
      this.log(`The hub connection's thread stopped (exit code ${code}); starting it again`);
      setTimeout(() => {
        if (!this.closed) this.start();
      }, RESTART_MS).unref();
    });
  }

  // Every request waiting for an answer has lost it, and the reporter hears of the loss once.
  private lose(reason: string): void {
    for (const answer of this.answers.values()) answer('lost');
    this.answers.clear();
    if (!this.isConnected) return;
    this.isConnected = false;
    this.events.disconnected(reason);
  }

  private heard(message: FromThread): void {
    if (this.closed) return;
    switch (message.type) {
      case 'connected':
        this.isConnected = true;
        return this.events.connected();
      case 'disconnected':
        return this.lose(message.reason);
      case 'answer': {
        const answer = this.answers.get(message.id);
        this.answers.delete(message.id);
        return answer?.(message.answer);
      }
      case 'stored':
        return this.events.stored(message.event);
      case 'cancel':
        return this.events.cancel(message.request, (answer) => this.post({ type: 'reply', id: message.id, answer }));
      case 'run':
        return this.events.run(message.request, (answer) => this.post({ type: 'reply', id: message.id, answer }));
      case 'log':
        return this.log(message.message);
      default:
        return assertNever(message);
    }
  }
}
