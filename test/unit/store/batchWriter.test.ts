import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Chunk } from '../../../src/shared/jobs';
import { BatchWriter, type JobStoreWrites } from '../../../src/core/store/batchWriter';
import { PgliteJobStore } from '../../../src/core/store/pgliteJobStore';
import { lines, newJob, pgliteThreadScript, readAll, recording, sqlOf } from './helpers';

const TIMEOUT = { timeout: 120_000 };
let store: PgliteJobStore;
before(async () => {
  store = await PgliteJobStore.open();
  await store.migrate();
}, TIMEOUT);
after(() => store.close());

const rowsPerStatement = (statements: { chunks: Chunk[] }[][]): number[] => statements.map((s) => s.reduce((n, b) => n + b.chunks.length, 0));

test('a lone chunk is stored after maxDelayMs without a flush', TIMEOUT, async () => {
  const writer = new BatchWriter(store, { maxDelayMs: 50 });
  const job = newJob();
  writer.started(job);
  writer.chunks(job.id, lines(0, 1));
  const start = Date.now();
  while ((await store.readEvents(job.id, 0)).length === 0) {
    assert.ok(Date.now() - start < 5000, 'stored within 5 s on a busy machine');
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.deepEqual(writer.pending, { rows: 0, bytes: 0 });
  await writer.close();
});

test('a statement holds at most maxRows chunks', TIMEOUT, async () => {
  const rec = recording(store);
  const writer = new BatchWriter(rec.writes);
  const job = newJob();
  writer.started(job);
  writer.chunks(job.id, lines(0, 2500));
  assert.deepEqual(writer.pending, { rows: 2500, bytes: lines(0, 2500).reduce((n, c) => n + c.text.length, 0) });
  await writer.flush();
  assert.deepEqual(rowsPerStatement(rec.statements), [1000, 1000, 500]);
  assert.deepEqual(writer.pending, { rows: 0, bytes: 0 });
  assert.deepEqual(await readAll(store, job.id), lines(0, 2500));
});

test('a statement holds at most maxBytes of text; a larger chunk goes alone', TIMEOUT, async () => {
  const rec = recording(store);
  const writer = new BatchWriter(rec.writes, { maxBytes: 1024 * 1024 });
  const job = newJob();
  writer.started(job);
  const chunks: Chunk[] = Array.from({ length: 40 }, (_, seq) => ({ seq, ts: seq, stream: 'stdout', text: `${'x'.repeat(99_999)}\n` }));
  chunks.push({ seq: 40, ts: 40, stream: 'stdout', text: 'y'.repeat(3 * 1024 * 1024) });
  writer.chunks(job.id, chunks);
  await writer.flush();
  assert.deepEqual(rowsPerStatement(rec.statements), [10, 10, 10, 10, 1]);
  assert.deepEqual(await readAll(store, job.id), chunks);
});

test('output that comes while a statement runs waits until it fills one; what is left goes within maxDelayMs', TIMEOUT, async () => {
  const rec = recording(store);
  // Each statement of output waits for the test to let it run, until `open`.
  const gates: (() => void)[] = [];
  let open = false;
  const writes: JobStoreWrites = {
    ...rec.writes,
    appendBatch: async (batches) => {
      if (!open) await new Promise<void>((resolve) => gates.push(resolve));
      return rec.writes.appendBatch(batches);
    },
  };
  const writer = new BatchWriter(writes, { maxBytes: 1000, maxDelayMs: 1000 });
  const job = newJob();
  // Two chunks of 500 bytes fill a statement.
  const chunk = (seq: number): Chunk => ({ seq, ts: seq, stream: 'stdout', text: `${'x'.repeat(499)}\n` });
  const release = async (): Promise<void> => {
    while (gates.length === 0) await new Promise((r) => setTimeout(r, 5));
    const stored = new Promise((resolve) => writer.once('stored', resolve));
    gates.shift()!();
    await stored;
  };
  writer.started(job);
  writer.chunks(job.id, [chunk(0), chunk(1)]);
  while (gates.length === 0) await new Promise((r) => setTimeout(r, 5));
  writer.chunks(job.id, [chunk(2)]);
  await release();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(gates.length, 0, 'half a statement waits for more');
  writer.chunks(job.id, [chunk(3)]);
  while (gates.length === 0) await new Promise((r) => setTimeout(r, 5));
  writer.chunks(job.id, [chunk(4)]);
  open = true;
  await release();
  // No flush: the last chunk goes once its delay is up.
  const start = Date.now();
  while ((await store.readEvents(job.id, 0)).length < 5) {
    assert.ok(Date.now() - start < 10_000, 'stored within 10 s on a busy machine');
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.deepEqual(rowsPerStatement(rec.statements), [2, 2, 1]);
  assert.deepEqual(await readAll(store, job.id), [0, 1, 2, 3, 4].map(chunk));
  await writer.close();
});

test('a failed write is retried with backoff until it succeeds; nothing overtakes it, nothing is lost', TIMEOUT, async () => {
  const rec = recording(store);
  const attempts: number[] = [];
  const writer = new BatchWriter(rec.writes, { firstRetryMs: 20, maxRetryMs: 80, onError: (_, attempt) => attempts.push(attempt) });
  const job = newJob();
  rec.failNext(2);
  writer.started(job); // fails twice: the chunks behind it wait
  writer.chunks(job.id, lines(0, 1500));
  const start = Date.now();
  await writer.flush();
  assert.ok(Date.now() - start >= 60, 'waited 20 + 40 ms before the third attempt');
  rec.failNext(4);
  writer.chunks(job.id, lines(1500, 10));
  writer.finished(job.id, { status: 'success', exitCode: 0, signal: null, durationMs: 9, finishedAt: job.startedAt + 9 });
  await writer.flush();
  assert.deepEqual(attempts, [1, 2, 1, 2, 3, 4]);
  assert.deepEqual(rowsPerStatement(rec.statements), [1000, 500, 10]);
  assert.deepEqual(await readAll(store, job.id), lines(0, 1510));
  assert.equal((await store.getJob(job.id))?.status, 'success');
});

test('chunks of a job that was never started are skipped without holding up the others', TIMEOUT, async () => {
  const writer = new BatchWriter(store);
  const job = newJob();
  writer.started(job);
  writer.chunks(randomUUID(), lines(0, 5));
  writer.chunks(job.id, lines(0, 5));
  await writer.close();
  assert.deepEqual(await readAll(store, job.id), lines(0, 5));
});

test('close() with a timeout gives up on a store that stays down, and says what was not stored', TIMEOUT, async () => {
  const rec = recording(store);
  const writer = new BatchWriter(rec.writes, { firstRetryMs: 10, maxRetryMs: 50, onError: () => undefined });
  const job = newJob();
  rec.failNext(Infinity);
  writer.started(job);
  writer.chunks(job.id, lines(0, 30));
  const start = Date.now();
  await assert.rejects(writer.close(300), /within 300 ms: 30 chunks of output were not stored/);
  assert.ok(Date.now() - start < 5000);
  assert.equal(await store.getJob(job.id), undefined);
});

test('room() holds a caller while more than four statements of output wait, and lets it go once no more do', TIMEOUT, async () => {
  // Each statement waits for the test to let it run, until `open`.
  const gates: (() => void)[] = [];
  let open = false;
  const nextStatement = async (): Promise<void> => {
    while (gates.length === 0) await new Promise((r) => setTimeout(r, 5));
    gates.shift()!();
  };
  const writes: JobStoreWrites = {
    jobStarted: (job, reporter) => store.jobStarted(job, reporter),
    appendBatch: async (batches) => {
      if (!open) await new Promise<void>((resolve) => gates.push(resolve));
      return store.appendBatch(batches);
    },
    jobFinished: (jobId, result) => store.jobFinished(jobId, result),
  };
  const writer = new BatchWriter(writes, { maxBytes: 1000 });
  const job = newJob();
  writer.started(job);
  // Two chunks of 500 bytes to a statement: five statements, one more than room() lets wait.
  const chunks: Chunk[] = Array.from({ length: 10 }, (_, seq) => ({ seq, ts: seq, stream: 'stdout', text: `${'x'.repeat(499)}\n` }));
  writer.chunks(job.id, chunks);
  let roomy = false;
  const room = writer.room().then(() => (roomy = true));
  while (gates.length === 0) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(roomy, false, 'five statements wait: no room');
  await nextStatement();
  await room;
  assert.deepEqual(writer.pending, { rows: 8, bytes: 4000 });
  const last: Chunk = { seq: 10, ts: 10, stream: 'stdout', text: 'y\n' };
  writer.chunks(job.id, [last]);
  let again = false;
  const room2 = writer.room().then(() => (again = true));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(again, false, '4002 bytes wait: no room');
  await nextStatement();
  await room2;
  open = true;
  while (gates.length > 0) gates.shift()!();
  await writer.flush();
  assert.deepEqual(await readAll(store, job.id), [...chunks, last]);
});

test('room() lets its caller go when close() gives up on a store that stays down', TIMEOUT, async () => {
  const rec = recording(store);
  const writer = new BatchWriter(rec.writes, { maxBytes: 20, firstRetryMs: 10, maxRetryMs: 50, onError: () => undefined });
  const job = newJob();
  rec.failNext(Infinity);
  writer.started(job);
  writer.chunks(job.id, lines(0, 30));
  assert.ok(writer.pending.bytes > 80, 'more than four statements wait');
  const room = writer.room();
  await assert.rejects(writer.close(300), /not stored/);
  await room;
});

test('a long queue on a store that answers without I/O (PGlite) lets the event loop turn between statements', TIMEOUT, async () => {
  let statements = 0;
  const turnsAt: number[] = [];
  const writer = new BatchWriter({
    jobStarted: async () => undefined,
    appendBatch: async (batches) => {
      // Busy, as PGlite is while it runs a statement on this thread.
      for (const until = performance.now() + 2; performance.now() < until; );
      statements++;
      return batches.reduce((n, b) => n + b.chunks.length, 0);
    },
    jobFinished: async () => undefined,
  });
  const job = newJob();
  writer.started(job);
  writer.chunks(job.id, lines(0, 5000));
  // A socket's data would be handled in the same phase as this: it must come before the last statement.
  const turns = setInterval(() => turnsAt.push(statements), 1);
  await writer.flush();
  clearInterval(turns);
  assert.equal(statements, 5);
  assert.ok(turnsAt.some((n) => n < 5), `the event loop turned only after statements ${JSON.stringify(turnsAt)}`);
});

test('rows the database refuses for their data are isolated: the rest of the batch and every later write are stored, the refused row as a notice', TIMEOUT, async () => {
  // A real refusal by the database (SQLSTATE 23514), of rows that pass every check of the schema.
  const db = await PgliteJobStore.open();
  await db.migrate();
  await sqlOf(db).query(`ALTER TABLE job_events ADD CONSTRAINT no_poison CHECK (chunk NOT LIKE '%POISON%')`);
  await sqlOf(db).query(`ALTER TABLE jobs ADD CONSTRAINT no_poison_title CHECK (title <> 'POISON')`);
  const refused: string[] = [];
  const retried: unknown[] = [];
  const writer = new BatchWriter(db, { onRefused: (what) => refused.push(what), onError: (err) => retried.push(err) });
  try {
    const poisoned = newJob({ title: 'POISON' });
    const job = newJob();
    writer.started(poisoned);
    writer.started(job);
    const chunks = lines(0, 1000);
    chunks[137] = { ...chunks[137], text: 'POISON\n' };
    chunks[900] = { ...chunks[900], text: 'more POISON\n' };
    writer.chunks(job.id, chunks);
    writer.chunks(poisoned.id, lines(0, 3));
    writer.finished(job.id, { status: 'success', exitCode: 0, signal: null, durationMs: 9, finishedAt: job.startedAt + 9 });
    await writer.flush();

    assert.deepEqual(retried, [], 'a refusal is not retried as if the database were away');
    assert.deepEqual(refused, [`the start of job ${poisoned.id}`, `chunk 137 of job ${job.id}`, `chunk 900 of job ${job.id}`]);
    assert.equal(await db.getJob(poisoned.id), undefined);
    const stored = await readAll(db, job.id);
    assert.equal(stored.length, 1000);
    for (const seq of [137, 900]) {
      assert.equal(stored[seq].stream, 'system');
      assert.match(stored[seq].text, /^\[This output was not stored: the database refused it \(.*no_poison/);
    }
    assert.deepEqual(stored.filter((c) => c.seq !== 137 && c.seq !== 900), chunks.filter((c) => c.seq !== 137 && c.seq !== 900));
    assert.equal((await db.getJob(job.id))?.status, 'success');
  } finally {
    await writer.close();
    await db.close();
  }
});

test('a store whose database thread stops ends the retries at once: close() says what was not stored', TIMEOUT, async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'vmo-writer-lost-'));
  try {
    // The real thread script, which exits at a statement once the trigger file exists, as a crashed thread would.
    const trigger = path.join(root, 'crash-now');
    const crashing = path.join(root, 'crashing.cjs');
    writeFileSync(
      crashing,
      `const { parentPort } = require('node:worker_threads');\nconst { existsSync } = require('node:fs');\n` +
        `parentPort.on('message', () => { if (existsSync(${JSON.stringify(trigger)})) process.exit(9); });\nrequire(${JSON.stringify(pgliteThreadScript(root))});\n`,
    );
    const lost: Error[] = [];
    const threaded = await PgliteJobStore.open({ thread: crashing, onLost: (err) => lost.push(err) });
    await threaded.migrate();
    const errors: unknown[] = [];
    const writer = new BatchWriter(threaded, { firstRetryMs: 1000, onError: (err) => errors.push(err) });
    const job = newJob();
    writer.started(job);
    writer.chunks(job.id, lines(0, 10));
    await writer.flush();
    assert.deepEqual(await readAll(threaded, job.id), lines(0, 10));

    writeFileSync(trigger, '');
    writer.chunks(job.id, lines(10, 20));
    const start = Date.now();
    await assert.rejects(writer.close(10_000), /The job store is lost \(The embedded database's thread stopped \(exit code 9\)\): 20 chunks of output were not stored/);
    assert.ok(Date.now() - start < 1000, `close() took ${Date.now() - start} ms`);
    assert.deepEqual(errors, [], 'a lost store is not retried');
    assert.equal(lost.length, 1);
    await threaded.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
