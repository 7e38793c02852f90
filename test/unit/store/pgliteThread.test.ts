import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { createPglite, pgliteHere } from '../../../src/core/store/pglite';
import { PgliteJobStore } from '../../../src/core/store/pgliteJobStore';
import { pgliteInThread, ThreadFailure } from '../../../src/core/store/pgliteThread';
import { isRefusal } from '../../../src/core/store/refusal';
import type { SqlClient } from '../../../src/core/store/sqlClient';
import { pgliteThreadScript } from './helpers';

const root = mkdtempSync(path.join(os.tmpdir(), 'vmo-pglite-thread-'));
const script = pgliteThreadScript(root);
/** A thread script that exits at once, as one that failed to load would. */
const exits = path.join(root, 'exits.cjs');
writeFileSync(exits, 'process.exit(3);\n');
after(() => rmSync(root, { recursive: true, force: true }));

/** How often a 5 ms timer fired while `db` ran a statement that keeps PostgreSQL busy for a while. */
async function ticksDuring(db: SqlClient): Promise<{ ticks: number; ms: number }> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const start = performance.now();
  try {
    await db.query('SELECT count(*) FROM generate_series(1, 4000000)');
    return { ticks, ms: performance.now() - start };
  } finally {
    clearInterval(timer);
  }
}

test('a statement runs off this thread: timers fire while it runs, where on this thread none can', { timeout: 120_000 }, async () => {
  const apart = await pgliteInThread(script, 'memory://');
  const here = await pgliteHere('memory://');
  try {
    const there = await ticksDuring(apart);
    const blocked = await ticksDuring(here);
    assert.ok(blocked.ticks <= 1, `on this thread the statement (${Math.round(blocked.ms)} ms) let ${blocked.ticks} ticks through`);
    // Half the ticks a free loop would see, at least: the thread runs the statement, this one its timers.
    assert.ok(there.ticks >= there.ms / 5 / 2, `apart, the statement took ${Math.round(there.ms)} ms and ${there.ticks} ticks came`);
  } finally {
    await apart.close();
    await here.close();
  }
});

test('across the thread: rows and counts come back, errors keep their SQLSTATE, transactions commit or roll back', { timeout: 60_000 }, async () => {
  const db = await pgliteInThread(script, 'memory://');
  try {
    await db.exec('CREATE TABLE t (id int PRIMARY KEY, at timestamptz NOT NULL, note text)');
    const written = await db.query('INSERT INTO t VALUES ($1, $2, $3), ($4, $2, NULL)', [1, new Date(1_700_000_000_000), 'a ✓ b', 2]);
    assert.equal(written.rowCount, 2);
    const { rows } = await db.query<{ id: number; at: Date; note: string | null }>('SELECT * FROM t ORDER BY id');
    assert.deepEqual(rows, [
      { id: 1, at: new Date(1_700_000_000_000), note: 'a ✓ b' },
      { id: 2, at: new Date(1_700_000_000_000), note: null },
    ]);

    const duplicate = await db.query('INSERT INTO t VALUES (1, now(), NULL)').then(() => undefined, (err: unknown) => err);
    assert.ok(duplicate instanceof Error && /duplicate key/.test(duplicate.message), String(duplicate));
    assert.equal((duplicate as Error & { code?: string }).code, '23505');
    assert.ok(isRefusal(duplicate), 'a refused write is told from a failure that may pass on a retry');

    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES (3, now(), NULL)');
        throw new Error('the body failed');
      }),
      /the body failed/,
    );
    const kept = await db.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES (4, now(), NULL)');
      return (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM t')).rows[0]!.n;
    });
    assert.equal(kept, 3);
    assert.deepEqual((await db.query<{ id: number }>('SELECT id FROM t ORDER BY id')).rows.map((r) => r.id), [1, 2, 4]);
  } finally {
    await db.close();
  }
});

test('a thread that cannot serve fails its start with the reason, rather than leaving the store waiting', { timeout: 60_000 }, async () => {
  await assert.rejects(pgliteInThread(exits, 'memory://'), /thread stopped \(exit code 3\)/);

  const notAFolder = path.join(root, 'a-file');
  writeFileSync(notAFolder, 'not a database\n');
  await assert.rejects(pgliteInThread(script, notAFolder), /ErrnoError, errno \d+/);
});

test('a database thread that does not run leaves the folder as it is: only a folder PGlite cannot open is moved aside', { timeout: 60_000 }, async () => {
  const dir = path.join(root, 'history');
  await createPglite(dir);
  const warnings: string[] = [];
  await assert.rejects(PgliteJobStore.open({ dir, thread: exits, onWarning: (m) => warnings.push(m) }), /thread stopped/);
  assert.deepEqual(warnings, []);
  assert.ok(existsSync(path.join(dir, 'PG_VERSION')));
  assert.deepEqual(readdirSync(root).filter((name) => name.includes('.broken-')), []);

  const store = await PgliteJobStore.open({ dir, thread: script });
  await store.close();
});

test('a thread that stops after it started is told of once, and every statement then fails; a close is not a loss', { timeout: 60_000 }, async () => {
  // Answers the start, then stops at its first statement, as a thread that crashed would.
  const crashes = path.join(root, 'crashes.cjs');
  writeFileSync(crashes, "const { parentPort } = require('node:worker_threads');\nparentPort.postMessage({ id: 0, ok: true });\nparentPort.on('message', () => process.exit(7));\n");
  const lost: Error[] = [];
  const db = await pgliteInThread(crashes, 'memory://', (err) => lost.push(err));
  await assert.rejects(db.query('SELECT 1'), (err: Error) => err instanceof ThreadFailure && /stopped \(exit code 7\)/.test(err.message));
  await assert.rejects(db.query('SELECT 2'), ThreadFailure);
  assert.equal(lost.length, 1);
  assert.match(lost[0]!.message, /exit code 7/);
  await db.close();
  assert.equal(lost.length, 1);

  const closed: Error[] = [];
  const healthy = await pgliteInThread(script, 'memory://', (err) => closed.push(err));
  await healthy.query('SELECT 1');
  await healthy.close();
  assert.deepEqual(closed, []);
});

test('the database folder deleted under a running store: the next statement loses the store, though PGlite still writes into the files it holds open', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(path.join(root, 'deleted-'));
  const lost: Error[] = [];
  const db = await pgliteInThread(script, dir, (err) => lost.push(err));
  await db.exec('CREATE TABLE kept (n integer)');
  rmSync(dir, { recursive: true, force: true });
  await assert.rejects(db.exec('INSERT INTO kept VALUES (1)'), (err: Error) => err instanceof ThreadFailure && /was deleted or replaced/.test(err.message));
  assert.equal(lost.length, 1);
  await assert.rejects(db.query('SELECT 1'), ThreadFailure);
  await db.close();
});

test('files of the database gone under its folder: the first statement that needs them loses the store, rather than being retried', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(path.join(root, 'files-'));
  const lost: Error[] = [];
  const db = await pgliteInThread(script, dir, (err) => lost.push(err));
  await db.exec('CREATE TABLE kept (n integer)');
  rmSync(path.join(dir, 'base'), { recursive: true, force: true });
  await assert.rejects(db.exec('CREATE TABLE more (n integer); INSERT INTO more SELECT generate_series(1, 100000)'), (err: Error) => err instanceof ThreadFailure && /files cannot be used/.test(err.message));
  assert.equal(lost.length, 1);
  await db.close();
});
