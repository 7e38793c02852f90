import { existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { messageOf } from '../../shared/errors';
import { lockFolder, type FolderLock } from './folderLock';
import { folderTrouble } from './folderTrouble';
import { pgliteInThread, ThreadFailure } from './pgliteThread';
import type { SqlClient } from './sqlClient';
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
  /**
   * The script of the database thread (pgliteWorker.js beside the hub's bundle): the database runs
   * on a worker thread of its own, so that its statements never hold up this thread's sockets;
   * absent, on this thread.
   */
  thread?: string;
  /**
   * The database thread stopped while the store was open (it crashed, or ran out of memory):
   * nothing can be stored from then on. Without it, every statement just fails.
   */
  onLost?: (err: Error) => void;
}

// On a thread of its own PGlite holds up no one while a statement runs, and it stores more per
// second in larger statements: measured on a 2-core machine, 100 MB of output reported to a hub was
// stored in 2.64 s in statements of 1 MiB and in 3.31 s in statements of 256 KiB (the default).
const THREAD_STATEMENT_BYTES = 1024 * 1024;

/** Starts the database on a data folder (or memory://), on this thread or another. */
type Start = (dataDir: string) => Promise<SqlClient>;

// A folder PGlite cannot start on (a crash mid-write, files from another version) is renamed to
// `<dir>.broken-<time>` and a new database is created in its place: the history starts empty but
// the old files are kept for whoever wants to look, and the warning says where they are. Not when
// the folder cannot be written to or the disk is (nearly) full: nothing is wrong with the history
// then, and once that is mended it opens as it was. (Made read-only under a hub, the folder was
// moved aside by the next hub, and the window showed an empty history.)
async function startOrMoveAside(dir: string, warn: (message: string) => void, create: PgliteJobStoreOptions['create'], start: Start): Promise<SqlClient> {
  if (create && !existsSync(path.join(dir, 'PG_VERSION'))) {
    try {
      await create(dir);
    } catch (err) {
      warn(`The job history in ${dir} could not be created apart (${err instanceof Error ? err.message : String(err)}); creating it here.`);
    }
  }
  try {
    return await start(dir);
  } catch (err) {
    // A thread that could not run says nothing of the folder, which is left as it is.
    if (!existsSync(dir) || err instanceof ThreadFailure) throw err;
    const trouble = folderTrouble(dir);
    if (trouble) throw new Error(`The job history in ${dir} cannot be opened: ${trouble} (${messageOf(err)}); it was left as it is`, { cause: err });
    const aside = `${dir}.broken-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(dir, aside);
    warn(`The job history in ${dir} could not be opened (${messageOf(err)}); it was moved to ${aside} and a new, empty history was created.`);
    return start(dir);
  }
}

// The embedded job store: PostgreSQL compiled to WASM, in one folder that only this process may
// open (see lockFolder), or in memory.
export class PgliteJobStore extends SqlJobStore {
  private constructor(
    db: SqlClient,
    private readonly lock: FolderLock | undefined,
    readonly statementBytes: number | undefined,
  ) {
    super(db);
  }

  /** Opens (or creates) the database; throws when another process has the folder open. */
  static async open(options: PgliteJobStoreOptions = {}): Promise<PgliteJobStore> {
    const { thread, onLost } = options;
    // Imported only to run here: a hub that runs the database on its thread does not load PGlite (~5 MB).
    const start: Start = thread ? (dataDir) => pgliteInThread(thread, dataDir, onLost) : async (dataDir) => (await import('./pglite.js')).pgliteHere(dataDir);
    const statementBytes = thread ? THREAD_STATEMENT_BYTES : undefined;
    if (options.dir === undefined) return new PgliteJobStore(await start('memory://'), undefined, statementBytes);
    const dir = path.resolve(options.dir);
    mkdirSync(path.dirname(dir), { recursive: true });
    const lock = lockFolder(dir);
    try {
      const db = await startOrMoveAside(dir, options.onWarning ?? console.warn, options.create, start);
      return new PgliteJobStore(db, lock, statementBytes);
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
