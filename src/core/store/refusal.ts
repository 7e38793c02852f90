import { InvalidInput } from './checkInput';
import { ThreadFailure } from './pgliteThread';

// SQLSTATE classes of errors about the data itself: the same statement fails the same way however
// often it is retried. 22 data exception (a value out of range, bad text), 23 integrity constraint
// violation, 54 program limit exceeded (an index entry too large). Everything else — a lost
// connection (08), a database shutting down (57), too many clients (53), a serialization failure
// (40), an error of the driver or the network — may pass on a retry.
const DATA_CLASSES = new Set(['22', '23', '54']);

/** True when a failed write will fail again however often it is retried: the database (or the store's own check) refused its data. */
export function isRefusal(err: unknown): boolean {
  if (err instanceof InvalidInput || err instanceof RangeError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && DATA_CLASSES.has(code.slice(0, 2));
}

/** True when no write will ever pass again: the store itself is gone (its database thread stopped). */
export function isLost(err: unknown): boolean {
  return err instanceof ThreadFailure;
}
