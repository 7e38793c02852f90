import { createAdapter } from '@socket.io/postgres-adapter';
import pg from 'pg';
import { messageOf } from '../shared/errors';

/** Messages between hubs go through NOTIFY; those over 8000 bytes (most output) wait here ~30 s. */
const MESSAGES_TABLE = 'hub_messages';
/** NOTIFY channels are per database; the prefix keeps other Socket.io programs on it apart. */
const CHANNEL_PREFIX = 'vm-orchestrator';
/** How long closing waits for the connections to end. */
const CLOSE_WAIT_MS = 2_000;
/** One connection listens, the others publish. */
const POOL_SIZE = 4;

/** The Socket.io adapter that joins this hub to the others on one PostgreSQL database. */
export interface Cluster {
  adapter: ReturnType<typeof createAdapter>;
  /** Ends its connections; call it after the Socket.io server is closed (which closes the adapter). */
  close(): Promise<void>;
}

// PostgreSQL error codes of a CREATE TABLE IF NOT EXISTS that lost a race with another hub's.
const CREATED_BY_ANOTHER = new Set(['23505', '42P07']);

// Connects to `url` (its own pool: the job store's connections stay free for writes) and makes
// the table the adapter expects: the adapter does not create it.
export async function openCluster(url: string, log: (message: string) => void): Promise<Cluster> {
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, connectionTimeoutMillis: 10_000 });
  pool.on('error', (err) => log(`The database closed a connection shared with the other hubs: ${err.message}`));
  // The adapter keeps one connection checked out for LISTEN, and the pool only watches idle ones:
  // without this, a database restart ends the hub with an unhandled 'error'. The adapter connects
  // again when that connection ends.
  pool.on('connect', (connection) => connection.on('error', (err) => log(`The database closed the connection that listens to the other hubs: ${err.message}`)));
  try {
    await pool.query(`CREATE TABLE IF NOT EXISTS ${MESSAGES_TABLE} (id bigserial UNIQUE, created_at timestamptz DEFAULT now(), payload bytea)`);
  } catch (err) {
    if (!CREATED_BY_ANOTHER.has((err as { code?: string }).code ?? '')) {
      await pool.end().catch(() => undefined);
      throw new Error(`Cannot share live events with other hubs through the database: ${messageOf(err)}`, { cause: err });
    }
  }
  const adapter = createAdapter(pool, {
    tableName: MESSAGES_TABLE,
    channelPrefix: CHANNEL_PREFIX,
    errorHandler: (err) => log(`Sharing live events with the other hubs failed: ${err.message}`),
  });
  return {
    adapter,
    // pool.end() waits for every checked-out connection; the adapter's listening one is never given
    // back once the database went away, and a hub that is stopping must not wait for it.
    close: async () => {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([pool.end().catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]);
      clearTimeout(timer);
    },
  };
}
