// One acknowledged request to the hub, typed by its event: the answer's payload, or an error.
import type { Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from './hubProtocol';

/** A client's socket of the hub's namespace. */
export type HubClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Every event a client sends may be answered; what each answers when it succeeds. */
type AskedEvent = keyof ClientToServerEvents;
export type AskPayload<E extends AskedEvent> = Parameters<ClientToServerEvents[E]>[0];
export type AskAnswer<E extends AskedEvent> = Extract<Parameters<NonNullable<Parameters<ClientToServerEvents[E]>[1]>>[0], { ok: true }>;

/** The hub answered, and refused; `retryAfterMs` when it was busy rather than the request wrong. */
export class HubRefusal extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** A socket as `ask` uses it: what socket.io-client's typed socket offers, for any event of the map. */
interface Asking {
  timeout(ms: number): { emitWithAck(event: AskedEvent, payload: unknown): Promise<Ack<object>> };
}

// Rejects with HubRefusal when the hub said no, and with socket.io's own error when no answer came
// within `timeoutMs`. Asked while not connected, the request waits in socket.io's buffer for the
// connection (or the timeout).
export async function ask<E extends AskedEvent>(socket: HubClientSocket, event: E, payload: AskPayload<E>, timeoutMs: number): Promise<AskAnswer<E>> {
  const asking: Asking = socket;
  const answer = await asking.timeout(timeoutMs).emitWithAck(event, payload);
  if (!answer.ok) throw new HubRefusal(answer.error, answer.retryAfterMs);
  return answer as AskAnswer<E>;
}
