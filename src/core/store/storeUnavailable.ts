// A database the store cannot reach for now: down, frozen, cut off by the network, or refusing
// connections. Nothing about the statement is wrong; the same one may pass later. The HTTP API
// answers it with 503 and Retry-After, and BatchWriter retries its writes.
export class StoreUnavailable extends Error {}

// Node's errors of a connection that failed or broke.
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

// The server's own: class 08 (connection exception), 53300 (too many connections), 57P01–57P03
// (shutting down, crashed, starting up).
const SERVER_CODES = /^(08...|53300|57P0[123])$/;

// pg's and pg-pool's errors without a code: a connection closed under a query, a connection that
// was not made in time, a pool with no connection free in time.
const DRIVER_MESSAGES = /^Connection terminated|^timeout exceeded when trying to connect|is not queryable/;

/** True when `err` says the database could not be reached (rather than that it refused a statement). */
export function isUnreachable(err: unknown): boolean {
  if (err instanceof StoreUnavailable) return true;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || SERVER_CODES.test(code))) return true;
  return err instanceof Error && DRIVER_MESSAGES.test(err.message);
}
