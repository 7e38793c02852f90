// The database thread that pgliteThread.ts starts: one PGlite instance, serving the requests of the
// thread that started it one message at a time, in the order PGlite's own locks give them.
import { parentPort, workerData } from 'node:worker_threads';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import { fullCollection, IdleCollection } from '../util/idleCollection';
import { pgliteSession, startPglite } from './pglite';
import type { ThreadData, ThreadError, ThreadReply, ThreadRequest } from './pgliteThread';
import type { SqlSession } from './sqlClient';

const port = parentPort!;
const ROLLED_BACK = Symbol('rolled back');

/** A transaction open now, with what ends it (commit or roll back) and resolves when it has. */
interface OpenTransaction {
  tx: Transaction;
  end: (commit: boolean) => Promise<void>;
}

const transactions = new Map<number, OpenTransaction>();
let nextTransaction = 1;

/** A transaction held open across requests until `end`: PGlite's own transaction, whose body waits for the decision. */
function begin(db: PGlite): Promise<number> {
  const id = nextTransaction++;
  let decide!: (commit: boolean) => void;
  const decided = new Promise<boolean>((resolve) => (decide = resolve));
  return new Promise((entered, failed) => {
    const ended: Promise<void> = db
      .transaction(async (tx) => {
        transactions.set(id, { tx, end: (commit) => (decide(commit), ended) });
        entered(id);
        if (!(await decided)) throw ROLLED_BACK;
      })
      .catch((err: unknown) => {
        if (err !== ROLLED_BACK) throw err;
      })
      .finally(() => transactions.delete(id));
    // Only a failure before the body ran (BEGIN) is the begin's; later ones are the end's.
    ended.catch(failed);
  });
}

function transaction(id: number): OpenTransaction {
  const open = transactions.get(id);
  if (!open) throw new Error(`No open transaction ${id}`);
  return open;
}

/** Where a statement runs: in the transaction `tx`, or outside any. */
function sessionFor(db: PGlite, tx: number | undefined): SqlSession {
  return pgliteSession(tx === undefined ? db : transaction(tx).tx);
}

async function run(db: PGlite, request: ThreadRequest): Promise<unknown> {
  switch (request.op) {
    case 'query':
      return sessionFor(db, request.tx).query(request.text, request.values);
    case 'exec':
      return sessionFor(db, request.tx).exec(request.script);
    case 'begin':
      return begin(db);
    case 'end':
      return transaction(request.tx).end(request.commit);
    case 'close':
      return db.close();
  }
}

// Only plain fields cross: an error's `params` or `query` would copy the statement's values back.
// PGlite's file system throws objects that are not Errors ({ name: 'ErrnoError', errno }): their
// fields are the message.
function describe(err: unknown): ThreadError {
  const fields: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(typeof err === 'object' && err !== null ? err : {})) {
    if ((typeof value === 'string' && key !== 'query') || typeof value === 'number' || typeof value === 'boolean') fields[key] = value;
  }
  if (err instanceof Error) return { ...fields, message: err.message, name: err.name, stack: err.stack };
  const told = Object.entries(fields).map(([key, value]) => `${key} ${value}`);
  return { ...fields, message: told.length > 0 ? told.join(', ') : String(err), name: typeof fields.name === 'string' ? fields.name : 'Error' };
}

function reply(message: ThreadReply): void {
  port.postMessage(message);
}

async function main(): Promise<void> {
  let db: PGlite;
  try {
    db = await startPglite((workerData as ThreadData).dataDir);
  } catch (err) {
    reply({ id: 0, ok: false, error: describe(err) });
    return;
  }
  // Starting leaves the files PGlite read (its WASM, its file system bundle) as garbage in this
  // thread's heap: collected at once, a new hub holds 137–141 MB of RSS, instead of 138–150.
  const collect = fullCollection();
  collect();
  // The heap then holds the output it was handed until a collection: it is given back once
  // writes stop, as the hub's own is.
  const collection = new IdleCollection(collect);
  port.on('message', (request: ThreadRequest) => {
    collection.wrote();
    run(db, request).then(
      (value) => reply({ id: request.id, ok: true, value }),
      (err: unknown) => reply({ id: request.id, ok: false, error: describe(err) }),
    );
  });
  reply({ id: 0, ok: true });
}

void main();
