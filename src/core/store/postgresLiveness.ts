import pg from 'pg';
import { StoreUnavailable } from './storeUnavailable';

// How a statement on PostgreSQL gives up when the server stops answering, without ever cutting short
// one that the server is still working on.
//
// A frozen server (its processes stopped, its machine hung) or a network that drops everything
// leaves a statement already sent waiting for good: TCP has nothing to report while the socket
// idles, and keepalive probes are answered by the server's kernel. A fixed time limit (pg's
// query_timeout, the server's statement_timeout) would have to choose between failing late and
// failing a legitimate statement: a text search or a prune over years of history, a migration, or
// any statement on a server busy with something else may take minutes, and a write cut short would
// be retried, and cut short again, for good. So no statement has a time limit of its own. Instead,
// once one has run CHECK_AFTER_MS without an answer, the store asks the server, on a new connection,
// whether the statement's backend is still there, and asks again every CHECK_AFTER_MS while it
// runs. The statement is given up only when the server does not answer that question within
// CHECK_MS (it is frozen or out of reach), or answers that the backend is gone (its connection
// broke): about 10 s after the server stopped answering. A slow statement on a live server always
// gets its answer; the check costs one connection every 5 s while one runs.
const CHECK_AFTER_MS = 5_000;
/** How long the check may take, connection included. */
const CHECK_MS = 5_000;

const WAITED = Symbol('waited');

/** Why a statement was given up: the server does not answer, or its connection is gone; undefined while it works on it. */
type Check = () => Promise<string | undefined>;

/** A connection's backend process id, as the server announced it at the start (pg keeps it; its types omit it). */
export const backendPid = (connection: pg.ClientBase): number | undefined => (connection as unknown as { processID?: number | null }).processID ?? undefined;

/**
 * Asks the server behind `url` whether the backend `pid` is still there. Any answer from the server
 * (even a refusal: too many connections, a password refused) says it is alive; behind a pooler
 * (pgbouncer) the pid is the pooler's, so that an answer is all it can tell.
 */
export function checkBackend(url: string, pid: number | undefined): Promise<string | undefined> {
  const probe = new pg.Client({ connectionString: url, connectionTimeoutMillis: CHECK_MS, query_timeout: CHECK_MS, application_name: 'vm-orchestrator check' });
  probe.on('error', () => undefined);
  const asked = (async () => {
    try {
      await probe.connect();
      const { rows } = await probe.query<{ here: boolean; direct: boolean }>(
        'SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $1) AS here, pg_backend_pid() = $2 AS direct',
        [pid ?? 0, backendPid(probe) ?? 0],
      );
      const { here, direct } = rows[0];
      return here || !direct || pid === undefined ? undefined : 'its connection to the server was lost';
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return undefined;
      return `it did not answer for ${(CHECK_AFTER_MS + CHECK_MS) / 1000} s`;
    } finally {
      void probe.end().catch(() => undefined);
    }
  })();
  return asked;
}

/** Resolves after `ms` with WAITED; `stop` clears the timer. */
function waited(ms: number): { done: Promise<typeof WAITED>; stop: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const done = new Promise<typeof WAITED>((resolve) => (timer = setTimeout(resolve, ms, WAITED)));
  return { done, stop: () => clearTimeout(timer) };
}

/**
 * Settles as `running` does, or rejects with StoreUnavailable, saying why `check` gave up, once it
 * finds the server out of reach (see CHECK_AFTER_MS). The caller then drops the connection, whose statement may still
 * run when the server comes back: every write of the store is idempotent.
 */
export async function whileAlive<T>(running: Promise<T>, check: Check): Promise<T> {
  for (;;) {
    const wait = waited(CHECK_AFTER_MS);
    let first: T | typeof WAITED;
    try {
      first = await Promise.race([running, wait.done]);
    } finally {
      wait.stop();
    }
    if (first !== WAITED) return first;
    const settled = running.then(
      () => undefined,
      () => undefined,
    );
    const gone = await Promise.race([check(), settled]);
    if (gone !== undefined) {
      running.catch(() => undefined);
      throw new StoreUnavailable(gone);
    }
  }
}
