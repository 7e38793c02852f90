import pg from 'pg';
import { isPostgresUrl } from './databaseUrl';
import type { SqlClient, SqlSession } from './sqlClient';
import { SqlJobStore } from './sqlJobStore';

/** A PostgreSQL server to store jobs in, and who hears about lost connections. */
export interface PostgresJobStoreOptions {
  /** `postgres://user:password@host:port/database` (or `postgresql://`). */
  url: string;
  /** Default: console.warn. */
  onWarning?: (message: string) => void;
}

function session(db: pg.Pool | pg.PoolClient): SqlSession {
  return {
    async query<Row>(text: string, values: readonly unknown[] = []) {
      const result = await db.query(text, [...values]);
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
    },
    async exec(script: string) {
      await db.query(script);
    },
  };
}

function client(pool: pg.Pool): SqlClient {
  return {
    ...session(pool),
    async transaction(body) {
      const connection = await pool.connect();
      let broken: Error | undefined;
      try {
        await connection.query('BEGIN');
        const result = await body(session(connection));
        await connection.query('COMMIT');
        return result;
      } catch (err) {
        await connection.query('ROLLBACK').catch((rollbackError: Error) => {
          broken = rollbackError;
        });
        throw err;
      } finally {
        // A connection that could not even roll back is dropped rather than reused.
        connection.release(broken);
      }
    },
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
// query fails while it is down, and BatchWriter retries its writes until it is back.
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
      keepAlive: true,
      application_name: 'vm-orchestrator',
    });
    // An idle connection that the server closes (restart, network) is reported here; without a
    // listener the 'error' event would crash the process.
    pool.on('error', (err) => warn(`The job database closed an idle connection: ${err.message}`));
    // A connection in use reports the same error to its query, which fails; this listener only
    // keeps the event from being unhandled.
    pool.on('connect', (connection) => connection.on('error', () => undefined));
    return new PostgresJobStore(client(pool));
  }
}
