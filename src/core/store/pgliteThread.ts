import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { folderTrouble } from './folderTrouble';
import type { SqlClient, SqlResult, SqlSession } from './sqlClient';

// PGlite runs each statement synchronously on the thread that calls it: in the hub, a batch of
// output being stored held up every socket's reads and every viewer's live lines for as long as
// the statement ran. Here it runs on a worker thread of its own (pgliteWorker.ts), and the store
// speaks to it through the same SqlClient as to PostgreSQL.

/** What the store asks of the database thread; `tx` names a transaction that `begin` opened. */
export type ThreadRequest =
  | { id: number; op: 'query'; text: string; values: readonly unknown[]; tx?: number }
  | { id: number; op: 'exec'; script: string; tx?: number }
  | { id: number; op: 'begin' }
  | { id: number; op: 'end'; tx: number; commit: boolean }
  | { id: number; op: 'close' };

/** An error as it crosses threads: its message, name and plain fields (a SQLSTATE `code`, `detail` …). */
export type ThreadError = { message: string; name: string; stack?: string } & Record<string, string | number | boolean | undefined>;

/** The answer to a request; id 0 answers the start. */
export type ThreadReply = { id: number; ok: true; value?: unknown } | { id: number; ok: false; error: ThreadError };

/** What the database thread is started with. */
export interface ThreadData {
  dataDir: string;
}

type WithoutId<R> = R extends ThreadRequest ? Omit<R, 'id'> : never;
type Ask = WithoutId<ThreadRequest>;

/** The thread itself failed (its script did not load, it exited): nothing is known of the database. */
export class ThreadFailure extends Error {}

/** Which folder `dir` is (device and inode), so that one deleted or put in its place is told apart; undefined for memory:// or none. */
function folderIdentity(dir: string): string | undefined {
  if (dir.startsWith('memory://')) return undefined;
  try {
    const stat = statSync(dir);
    return `${stat.dev}:${stat.ino}`;
  } catch {
    return undefined;
  }
}

// PostgreSQL's errors about its own files: class 58 (ENOENT is 58P01, another I/O error 58030) and
// 42501 from a file it may not write (PGlite has no roles, so no other 42501). On a server they are
// its operator's to mend; here the files are the store's own folder, deleted or made read-only
// under it. A write retried after one "succeeded" into files that were gone, and was acknowledged
// and lost at the next start. And any PANIC or FATAL: a server restarts after one, PGlite goes on
// in a state it cannot run in. With the folder made read-only under a hub, the next new WAL segment
// failed with PANIC (42501 "could not create file pg_wal/xlogtemp…", or XX000 "XLogBeginInsert was
// already called"), and every statement after it spun the database's thread at full CPU for good
// while the hub retried. So the store is lost at the first: the hub exits without acknowledging
// what it did not store, and the window starts another, to which the reporters send their spools
// again.
function unusable(error: ThreadError): boolean {
  const code = typeof error.code === 'string' ? error.code : '';
  return error.severity === 'PANIC' || error.severity === 'FATAL' || code.startsWith('58') || (code === '42501' && /\bfile\b/.test(error.message));
}

/** An error from the database thread as an Error of this one, with the fields the store reads (`code`). */
function fromThread(error: ThreadError): Error {
  const { message, stack, ...fields } = error;
  return Object.assign(new Error(message), fields, { stack: stack ?? message });
}

/**
 * PGlite on `dataDir` (a folder, or memory://) in a worker thread that runs `script`
 * (pgliteWorker.js). `onLost` hears once of a thread that stopped after it started, other than by
 * `close()`: every statement fails from then on.
 */
export function pgliteInThread(script: string, dataDir: string, onLost?: (err: ThreadFailure) => void): Promise<SqlClient> {
  return new Promise((resolve, reject) => {
    const thread = new PgliteThread(script, { dataDir }, (err) => (err ? reject(err) : resolve(thread)), onLost);
  });
}

class PgliteThread implements SqlClient {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  private nextId = 1;
  private stopped: ThreadFailure | undefined;
  /** The start was answered: a stop from now on loses an open store. */
  private ready = false;
  private closing = false;
  /** The folder the database opened (folderIdentity): a store whose folder is no longer it is lost. */
  private folder: string | undefined;
  private readonly outside = this.session(undefined);
  readonly query = this.outside.query;
  readonly exec = this.outside.exec;

  private readonly dataDir: string;

  constructor(
    script: string,
    data: ThreadData,
    started: (err?: Error) => void,
    private readonly onLost?: (err: ThreadFailure) => void,
  ) {
    this.dataDir = data.dataDir;
    this.worker = new Worker(script, { workerData: data });
    this.waiting.set(0, {
      resolve: () => {
        this.ready = true;
        this.folder = folderIdentity(data.dataDir);
        started();
      },
      reject: started,
    });
    this.worker.on('message', (reply: ThreadReply) => this.settle(reply));
    this.worker.on('error', (err) => this.stop(new ThreadFailure(`The embedded database's thread failed: ${err.message}`, { cause: err })));
    this.worker.on('exit', (code) => this.stop(new ThreadFailure(`The embedded database's thread stopped (exit code ${code})`)));
  }

  async transaction<T>(body: (tx: SqlSession) => Promise<T>): Promise<T> {
    const tx = (await this.ask({ op: 'begin' })) as number;
    let result: T;
    try {
      result = await body(this.session(tx));
    } catch (err) {
      await this.ask({ op: 'end', tx, commit: false }).catch(() => undefined);
      throw err;
    }
    await this.ask({ op: 'end', tx, commit: true });
    return result;
  }

  async close(): Promise<void> {
    this.closing = true;
    try {
      if (!this.stopped) await this.ask({ op: 'close' });
    } finally {
      await this.worker.terminate();
    }
  }

  /** Statements in the transaction `tx`, or outside any. */
  private session(tx: number | undefined): SqlSession {
    return {
      query: <Row>(text: string, values: readonly unknown[] = []) => this.ask({ op: 'query', text, values, tx }) as Promise<SqlResult<Row>>,
      exec: async (script) => void (await this.ask({ op: 'exec', script, tx })),
    };
  }

  private ask(request: Ask): Promise<unknown> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    // The thread keeps the process alive only while it has work: an idle store never holds up an exit.
    if (this.waiting.size === 0) this.worker.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id });
    });
  }

  private settle(reply: ThreadReply): void {
    const waiter = this.waiting.get(reply.id);
    if (!waiter) return;
    this.waiting.delete(reply.id);
    if (this.waiting.size === 0) this.worker.unref();
    // Files deleted while open still take writes, which are gone at the next start: a statement is
    // only done while the folder it wrote to is still the database's.
    const moved = this.folder !== undefined && folderIdentity(this.dataDir) !== this.folder;
    if (reply.ok && !moved) return waiter.resolve(reply.value);
    if (!reply.ok && !moved && !unusable(reply.error)) return waiter.reject(fromThread(reply.error));
    const lost = new ThreadFailure(moved ? `The embedded database's folder ${this.dataDir} was deleted or replaced while it ran` : this.unusableMessage(reply.ok ? undefined : reply.error));
    waiter.reject(lost);
    this.stop(lost);
  }

  /** Why the database cannot go on: its error, and what is wrong with its folder where that shows. */
  private unusableMessage(error: ThreadError | undefined): string {
    const severity = error?.severity === 'PANIC' || error?.severity === 'FATAL' ? `${error.severity}: ` : '';
    const trouble = folderTrouble(this.dataDir);
    return `The embedded database's files cannot be used: ${severity}${error?.message ?? ''}${trouble ? `; ${trouble}` : ''}`;
  }

  private stop(err: ThreadFailure): void {
    if (this.stopped) return;
    this.stopped = err;
    for (const waiter of this.waiting.values()) waiter.reject(err);
    this.waiting.clear();
    if (this.ready && !this.closing) this.onLost?.(err);
  }
}
