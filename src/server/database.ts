import { PgliteJobStore } from '../core/store/pgliteJobStore';
import { PostgresJobStore } from '../core/store/postgresJobStore';
import type { JobStore } from '../core/store/jobStore';

/** Opens the job store named by `--database` (a postgres:// URL or a PGlite folder) and migrates it. */
export async function openStore(database: string, warn: (message: string) => void): Promise<JobStore> {
  const store: JobStore = /^postgres(ql)?:\/\//.test(database)
    ? await PostgresJobStore.open({ url: database, onWarning: warn })
    : await PgliteJobStore.open({ dir: database, onWarning: warn });
  try {
    await store.migrate();
    return store;
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
}
