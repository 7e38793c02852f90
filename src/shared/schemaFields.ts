// The readers of single fields that schema.ts builds every message's guard from: each returns
// the value normalized or throws a refusal naming the field, which parse() turns into a Parsed.

// Times are epoch milliseconds from 0001-01-01 to 9999-12-31: inside PostgreSQL's timestamptz
// (4713 BC – 294276 AD) and a JS Date (±8.64e15 ms), and the years an ISO date writes with four
// digits, which both drivers pass to the server unchanged.
export const TIME_MIN_MS = -62_135_596_800_000;
export const TIME_MAX_MS = 253_402_300_799_999;
/** PostgreSQL's `integer` (seq, exit_code). */
export const INT4_MIN = -(2 ** 31);
export const INT4_MAX = 2 ** 31 - 1;

/** A value read at the edge: the normalized value, or why it was refused (naming the field). */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export type Fields = Record<string, unknown>;

/** Thrown inside a reader and turned into `{ ok: false }` by parse(); never escapes a parse(). */
class Refused extends Error {}

export const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);

const show = (v: unknown): string => {
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v);
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return `a list of ${v.length}`;
  return v === null ? 'null' : typeof v;
};

export const refuse = (field: string, expected: string, got: unknown): never => {
  throw new Refused(`${field}: expected ${expected}, got ${show(got)}`);
};

export function parse<T>(read: () => T): Parsed<T> {
  try {
    return { ok: true, value: read() };
  } catch (err) {
    if (err instanceof Refused) return { ok: false, error: err.message };
    throw err;
  }
}

/** Text PostgreSQL can hold: without NUL (U+0000), and well-formed UTF-16 (a lone surrogate becomes U+FFFD). */
export function cleanText(text: string): string {
  const noNul = text.includes('\0') ? text.replaceAll('\0', '') : text;
  return (noNul as unknown as { toWellFormed(): string }).toWellFormed();
}

export function text(field: string, v: unknown, max: number, minLength = 0): string {
  if (typeof v !== 'string') return refuse(field, 'a string', v);
  if (v.length > max) return refuse(field, `at most ${max} characters`, `${v.length}`);
  const clean = cleanText(v);
  if (clean.length < minLength) return refuse(field, 'a non-empty string', v);
  return clean;
}

export function optionalText(field: string, v: unknown, max: number): string | undefined {
  return v === undefined ? undefined : text(field, v, max);
}

export function integer(field: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) return refuse(field, `a whole number from ${min} to ${max}`, v);
  return v + 0;
}

/** Epoch milliseconds in the stored range, rounded to a whole millisecond (the precision stored). */
export function time(field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) return refuse(field, 'a time in epoch milliseconds', v);
  const ms = Math.round(v) + 0;
  if (ms < TIME_MIN_MS || ms > TIME_MAX_MS) return refuse(field, 'a time from year 1 to 9999 in epoch milliseconds', v);
  return ms;
}

/** A duration in whole milliseconds, up to the longest span of stored times. */
export function duration(field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return refuse(field, 'a duration of 0 ms or more', v);
  const ms = Math.round(v) + 0;
  if (ms > TIME_MAX_MS - TIME_MIN_MS) return refuse(field, `a duration of at most ${TIME_MAX_MS - TIME_MIN_MS} ms`, v);
  return ms;
}

export function oneOf<T extends string>(field: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) return refuse(field, `one of ${allowed.join(', ')}`, v);
  return v as T;
}

export function list<T>(field: string, v: unknown, max: number, item: (field: string, v: unknown) => T): T[] {
  if (!Array.isArray(v)) return refuse(field, 'a list', v);
  if (v.length > max) return refuse(field, `at most ${max} items`, v);
  return v.map((x, i) => item(`${field}[${i}]`, x));
}

export function object(field: string, v: unknown): Fields {
  return isObject(v) ? v : refuse(field, 'an object', v);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for the textual form of a UUID, the only job id the store holds. */
export const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID.test(v);

export function uuid(field: string, v: unknown): string {
  return isUuid(v) ? v.toLowerCase() : refuse(field, 'a UUID', v);
}

/** A job id as a client may ask about it: a non-empty string of sane length (unknown ids find nothing). */
export function isJobId(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= 100;
}
