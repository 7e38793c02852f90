import { PGlite, types, type QueryOptions, type Transaction } from '@electric-sql/pglite';
import type { SqlClient, SqlSession } from './sqlClient';

// PostgreSQL's default shared_buffers (128 MB) sizes a server of its own; in PGlite the buffers are
// the hub's own memory, every page of it resident once touched, and a new folder runs a second
// instance for initdb with the same setting. Measured on a 2-core machine with 100 MB of 64 KB
// chunks written: 128 MB held 289 MB of RSS idle and 330 MB after; 16 MB 181/172; 8 MB 162/159,
// at the same CPU per MB written (the OS caches the files; a job's output is written once and
// read rarely). WAL sizes made no difference to memory: the WAL is in files, not in buffers.
const START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=8MB'];

/** PGlite on `dataDir` (a folder, or memory://) as the store runs it, ready for queries. */
export async function startPglite(dataDir: string): Promise<PGlite> {
  // The contrib modules are ES modules only: a dynamic import loads them from CommonJS.
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const db = new PGlite(dataDir, { extensions: { pg_trgm }, startParams: START_PARAMS });
  try {
    await db.waitReady;
    return db;
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}

/** Creates a new database in the folder `dir` and closes it; what a `create` option runs apart. */
export async function createPglite(dir: string): Promise<void> {
  await (await startPglite(dir)).close();
}

// Text parameters go to PGlite as UTF-8 bytes in the binary format, which for text is the same
// bytes, checked by the server as any text is. As strings, PGlite's JavaScript counts each one's
// UTF-8 length character by character, twice, before it encodes it: measured on a 2-core machine,
// 100 MB of output reported to a hub on PGlite in 32 KB chunks, the hub took 3.1–3.2 s of CPU
// this way against 3.4 s, and stored it 11% sooner. PGlite's types say a serializer returns a
// string, but its protocol writer sends a byte array it is given as it is (pg-protocol's
// writeValues); the round trip of every kind of text through PGlite (schemaRoundTrip.test.ts)
// would fail if a later version stopped doing so.
// Byte arrays (deflated output, packedOutput.ts) go the same way, as they are: PGlite's own bytea
// serializer spells each byte in hex through an array of strings, and its parser reads them back
// one parseInt at a time.
const utf8 = new TextEncoder();
const textAsBytes = (value: unknown): string => utf8.encode(value instanceof Date ? value.toISOString() : String(value)) as unknown as string;
const byteaAsBytes = (value: unknown): string => {
  if (!(value instanceof Uint8Array)) throw new TypeError(`Expected bytes for a bytea parameter, got ${typeof value}`);
  return value as unknown as string;
};
const QUERY_OPTIONS: QueryOptions = {
  serializers: { [types.TEXT]: textAsBytes, [types.BYTEA]: byteaAsBytes },
  parsers: { [types.BYTEA]: (hex: string) => Buffer.from(hex.slice(2), 'hex') },
};

/** A PGlite instance or one of its transactions as the store's SqlSession. */
export function pgliteSession(db: PGlite | Transaction): SqlSession {
  return {
    async query<Row>(text: string, values: readonly unknown[] = []) {
      const result = await db.query<Row>(text, [...values], QUERY_OPTIONS);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    },
    async exec(script: string) {
      await db.exec(script);
    },
  };
}

/** PGlite on this thread as the store's SqlClient. */
export async function pgliteHere(dataDir: string): Promise<SqlClient> {
  const db = await startPglite(dataDir);
  return { ...pgliteSession(db), transaction: (body) => db.transaction((tx) => body(pgliteSession(tx))), close: () => db.close() };
}
