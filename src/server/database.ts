import { spawn } from 'node:child_process';
import { PgliteJobStore } from '../core/store/pgliteJobStore';
import { PostgresJobStore } from '../core/store/postgresJobStore';
import type { JobStore } from '../core/store/jobStore';

/** Opens the job store named by `--database` (a postgres:// URL or a PGlite folder) and migrates it. */
export async function openStore(database: string, warn: (message: string) => void): Promise<JobStore> {
  const store: JobStore = /^postgres(ql)?:\/\//.test(database)
    ? await PostgresJobStore.open({ url: database, onWarning: warn })
    : await PgliteJobStore.open({ dir: database, onWarning: warn, create: createApart });
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
