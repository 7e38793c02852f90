import { existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { lockFolder, type FolderLock } from './folderLock';
import type { SqlClient, SqlSession } from './sqlClient';
import { SqlJobStore } from './sqlJobStore';

/** Where the embedded database lives, and who hears about a folder that had to be moved aside. */
export interface PgliteJobStoreOptions {
  /** The database folder (created when missing); absent: in memory, gone at close. */
  dir?: string;
  /** Default: console.warn. */
  onWarning?: (message: string) => void;
  /**
   * Creates a new database in `dir` elsewhere, e.g. in a child process (see createPglite); by
   * default it is created here. Creating one runs initdb in a second PGlite instance, whose
   * memory this process would keep for as long as it runs.
   */
  create?: (dir: string) => Promise<void>;
}

function session(db: PGlite | Transaction): SqlSession {
  return {
    async query<Row>(text: string, values: readonly unknown[] = []) {
      const result = await db.query<Row>(text, [...values]);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    },
    async exec(script: string) {
      await db.exec(script);
    },
  };
}

function client(db: PGlite): SqlClient {
  return { ...session(db), transaction: (body) => db.transaction((tx) => body(session(tx))), close: () => db.close() };
}

// PostgreSQL's default shared_buffers (128 MB) sizes a server of its own; in PGlite the buffers are
// the hub's own memory, every page of it resident once touched, and a new folder runs a second
// instance for initdb with the same setting. Measured on a 2-core machine with 100 MB of 64 KB
// chunks written: 128 MB held 289 MB of RSS idle and 330 MB after; 16 MB 181/172; 8 MB 162/159,
// at the same CPU per MB written (the OS caches the files; a job's output is written once and
// read rarely). WAL sizes made no difference to memory: the WAL is in files, not in buffers.
const START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=8MB'];

/** Creates a new database in the folder `dir` and closes it; what a `create` option runs apart. */
export async function createPglite(dir: string): Promise<void> {
  await (await startPglite(dir)).close();
}

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

// A folder PGlite cannot start on (a crash mid-write, files from another version) is renamed to
// `<dir>.broken-<time>` and a new database is created in its place: the history starts empty but
// the old files are kept for whoever wants to look, and the warning says where they are.
async function startOrMoveAside(dir: string, warn: (message: string) => void, create: PgliteJobStoreOptions['create']): Promise<PGlite> {
  if (create && !existsSync(path.join(dir, 'PG_VERSION'))) {
    try {
      await create(dir);
    } catch (err) {
      warn(`The job history in ${dir} could not be created apart (${err instanceof Error ? err.message : String(err)}); creating it here.`);
    }
  }
  try {
    return await startPglite(dir);
  } catch (err) {
    if (!existsSync(dir)) throw err;
    const aside = `${dir}.broken-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(dir, aside);
    warn(`The job history in ${dir} could not be opened (${err instanceof Error ? err.message : String(err)}); it was moved to ${aside} and a new, empty history was created.`);
    return startPglite(dir);
  }
}

// The embedded job store: PostgreSQL compiled to WASM, in one folder that only this process may
// open (see lockFolder), or in memory.
export class PgliteJobStore extends SqlJobStore {
  private constructor(
    db: SqlClient,
    private readonly lock: FolderLock | undefined,
  ) {
    super(db);
  }

  /** Opens (or creates) the database; throws when another process has the folder open. */
  static async open(options: PgliteJobStoreOptions = {}): Promise<PgliteJobStore> {
    if (options.dir === undefined) return new PgliteJobStore(client(await startPglite('memory://')), undefined);
    const dir = path.resolve(options.dir);
    mkdirSync(path.dirname(dir), { recursive: true });
    const lock = lockFolder(dir);
    try {
      const db = await startOrMoveAside(dir, options.onWarning ?? console.warn, options.create);
      return new PgliteJobStore(client(db), lock);
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  protected override async shutdown(): Promise<void> {
    try {
      await super.shutdown();
    } finally {
      this.lock?.release();
    }
  }
}
