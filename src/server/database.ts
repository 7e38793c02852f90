import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { isPostgresUrl } from '../core/store/databaseUrl';
import { PgliteJobStore } from '../core/store/pgliteJobStore';
import { PostgresJobStore } from '../core/store/postgresJobStore';
import type { JobStore } from '../core/store/jobStore';

/** The database thread's script, bundled beside the hub's (see esbuild.mjs). */
const PGLITE_THREAD = path.join(__dirname, 'pgliteWorker.js');

// A hub run from the sources (in tests) has no bundle beside it, and runs PGlite on the hub's thread.
function pgliteThread(warn: (message: string) => void): string | undefined {
  if (existsSync(PGLITE_THREAD)) return PGLITE_THREAD;
  warn(`PGlite runs on the hub's thread: ${PGLITE_THREAD} is missing.`);
  return undefined;
}

/**
 * Opens the job store named by `--database` (a postgres:// URL or a PGlite folder) and migrates it.
 * `onLost`: the embedded database's thread stopped while the store was open (PostgreSQL's
 * connections are made again as needed, and never lose it).
 */
export async function openStore(database: string, warn: (message: string) => void, onLost: (err: Error) => void): Promise<JobStore> {
  const store: JobStore = isPostgresUrl(database)
    ? await PostgresJobStore.open({ url: database, onWarning: warn })
    : await PgliteJobStore.open({ dir: database, onWarning: warn, create: createApart, thread: pgliteThread(warn), onLost });
  try {
    await store.migrate();
    return store;
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
}

// Creating a PGlite folder runs initdb in a second PGlite instance, and the memory it took stays
// with the process: a hub that created its folder held 352 MB of RSS idle, one that opened it 186
// MB. This hub, run again with --create-pglite, creates it and exits, taking that memory along.
function createApart(dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, '--create-pglite', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`creating it exited with ${signal ?? `code ${code}`}`))));
  });
}
