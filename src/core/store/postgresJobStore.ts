import pg from 'pg';
import { messageOf } from '../../shared/errors';
import { displayUrl, isPostgresUrl } from './databaseUrl';
import { backendPid, checkBackend, whileAlive } from './postgresLiveness';
import type { SqlClient, SqlSession } from './sqlClient';
import { SqlJobStore } from './sqlJobStore';
import { isUnreachable, StoreUnavailable } from './storeUnavailable';

/** A PostgreSQL server to store jobs in, and who hears about lost connections. */
export interface PostgresJobStoreOptions {
  /** `postgres://user:password@host:port/database` (or `postgresql://`). */
  url: string;
  /** Default: console.warn. */
  onWarning?: (message: string) => void;
}

/** Statements on one connection, each given up when the server stops answering (whileAlive). */
function session(connection: pg.PoolClient, url: string): SqlSession {
  const watched = <T>(running: Promise<T>): Promise<T> => whileAlive(running, () => checkBackend(url, backendPid(connection)));
  return {
    async query<Row>(text: string, values: readonly unknown[] = []) {
      const result = await watched(connection.query(text, [...values]));
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
    },
    async exec(script: string) {
      await watched(connection.query(script));
    },
  };
}

function client(pool: pg.Pool, url: string): SqlClient {
  const label = displayUrl(url);
  // A database out of reach is named in the error (never with its password), so that whoever reads
  // it knows which one to look at.
  const named = (err: unknown): unknown => (isUnreachable(err) ? new StoreUnavailable(`The job database ${label} is unreachable: ${messageOf(err)}`, { cause: err }) : err);
  // A connection whose statement failed is dropped rather than reused, as pool.query() does: one
  // given up on may still have its statement running.
  async function withConnection<T>(use: (connection: pg.PoolClient) => Promise<T>): Promise<T> {
    let connection: pg.PoolClient;
    try {
      connection = await pool.connect();
    } catch (err) {
      throw named(err);
    }
    try {
      const result = await use(connection);
      connection.release();
      return result;
    } catch (err) {
      connection.release(err instanceof Error ? err : new Error(String(err)));
      throw named(err);
    }
  }
  return {
    query: <Row>(text: string, values?: readonly unknown[]) => withConnection((connection) => session(connection, url).query<Row>(text, values)),
    exec: (script) => withConnection((connection) => session(connection, url).exec(script)),
    transaction: (body) =>
      withConnection(async (connection) => {
        const tx = session(connection, url);
        await tx.query('BEGIN');
        try {
          const result = await body(tx);
          await tx.query('COMMIT');
          return result;
        } catch (err) {
          // A ROLLBACK on a connection out of reach would wait as long again: the connection is
          // dropped instead, and the server rolls back when it sees it closed.
          if (!isUnreachable(err)) await tx.query('ROLLBACK').catch(() => undefined);
          throw err;
        }
      }),
    close: () => pool.end(),
  };
}

// The server stores more per second in larger statements, and holds up nothing of the hub's while
// one runs. Measured on a 2-core machine, 100 MB of prepared chunks reported at once to a hub
// (alternating hubs, eight runs each, medians): stored in 1443 ms in statements of 256 KiB (the
// default) and in 953 ms in statements of 1 MiB, against 627 ms for one COPY of the same rows.
const STATEMENT_BYTES = 1024 * 1024;

// The job store on a PostgreSQL server, for a team hub or several hubs. The pool opens
// connections as needed, so a server that went away is reconnected to by the next query: a
// query fails while it is down or frozen (StoreUnavailable, within about 10 s: postgresLiveness),
// and BatchWriter retries its writes until it is back.
export class PostgresJobStore extends SqlJobStore {
  readonly statementBytes = STATEMENT_BYTES;

  /** Creates the pool; no connection is made until the first query (migrate()). */
  static async open(options: PostgresJobStoreOptions): Promise<PostgresJobStore> {
    if (!isPostgresUrl(options.url)) throw new Error('Expected a postgres:// or postgresql:// URL for the job database');
    const warn = options.onWarning ?? console.warn;
    const pool = new pg.Pool({
      connectionString: options.url,
      max: 4,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      // TCP keepalive from 10 s of silence on (the system's default is 2 hours): a connection
      // whose server vanished (its machine gone, a network that drops it) fails instead of idling.
      // It never ends a slow statement: the server's kernel answers the probes while it works.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      application_name: 'vm-orchestrator',
    });
    // An idle connection that the server closes (restart, network) is reported here; without a
    // listener the 'error' event would crash the process.
    pool.on('error', (err) => warn(`The job database closed an idle connection: ${err.message}`));
    // A connection in use reports the same error to its query, which fails; this listener only
    // keeps the event from being unhandled.
    pool.on('connect', (connection) => connection.on('error', () => undefined));
    return new PostgresJobStore(client(pool, options.url));
  }
}
