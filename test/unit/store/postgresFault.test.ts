import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { BatchWriter } from '../../../src/core/store/batchWriter';
import { PostgresJobStore } from '../../../src/core/store/postgresJobStore';
import { StoreUnavailable } from '../../../src/core/store/storeUnavailable';
import { NO_POSTGRES, postgresAvailable, startTestPostgres, type TestPostgres } from '../../harness/postgres';
import { lines, newJob, printing, readAll, sqlOf } from './helpers';
import { until } from '../server/helpers';

let server: TestPostgres | undefined;
let store: PostgresJobStore | undefined;
let writer: BatchWriter | undefined;
after(async () => {
  await writer?.close(1000).catch(() => undefined);
  await store?.close();
  await server?.close();
});

const skip = !postgresAvailable() ? NO_POSTGRES : process.env.VMO_TEST_DATABASE_URL ? 'VMO_TEST_DATABASE_URL is a server these tests may not stop' : undefined;

test('PostgreSQL stopped mid-job and started again: every line of the job is stored once, in order', { skip, timeout: 180_000 }, async () => {
  server ??= await startTestPostgres();
  const control = server!.control!;
  const warnings: string[] = [];
  store = await PostgresJobStore.open({ url: await server!.createDatabase(), onWarning: (m) => warnings.push(m) });
  await store.migrate();
  const failures: unknown[] = [];
  writer = new BatchWriter(store, { maxRetryMs: 250, onError: (err) => failures.push(err) });
  const job = newJob({ title: 'through an outage' });
  writer.started(job);

  const printed = printing(writer, job.id);
  const { sent } = printed;

  try {
    await sleep(500);
    // Connections left idle in the pool, which the server's shutdown will close under it.
    await Promise.all([store.getJob(job.id), store.getJob(job.id), store.getJob(job.id)]);
    await control.stop();
    const atStop = sent.length;
    await sleep(1500); // output goes on while the server is down
    assert.ok(sent.length > atStop + 50, 'the job kept printing during the outage');
    assert.ok(writer.pending.rows > 0, 'writes are waiting');
    await control.start();
    await sleep(500);
  } finally {
    printed.stop();
  }
  writer.finished(job.id, { status: 'success', exitCode: 0, signal: null, durationMs: 2500, finishedAt: Date.now() });
  await writer.close(60_000);

  assert.ok(failures.length > 0, 'writes failed while the server was down');
  assert.ok(warnings.some((w) => w.includes('closed an idle connection')), 'idle connections lost are reported, not thrown');
  const stored = await readAll(store, job.id);
  assert.equal(stored.length, sent.length);
  assert.deepEqual(stored.map((c) => c.seq), sent.map((c) => c.seq));
  assert.deepEqual(stored.map((c) => c.text), sent.map((c) => c.text));
  assert.equal(stored.map((c) => c.text).join(''), printed.text(), 'every line once, in order');
  const got = await store.getJob(job.id);
  assert.equal(got?.status, 'success');
  assert.equal(got?.lastSeq, sent.length - 1);
  console.log(`# ${sent.length} chunks; ${failures.length} failed attempts; warnings: ${warnings.length}`);
});

// A statement gives up when the server stops answering (postgresFrozen.test.ts), never because it is
// slow: past 5 s the store asks the server whether it still works on it, and waits on while it does.
test('a statement that runs 12 s on a live server is answered, not given up', { skip: postgresAvailable() ? undefined : NO_POSTGRES, timeout: 120_000 }, async () => {
  server ??= await startTestPostgres();
  const slow = await PostgresJobStore.open({ url: await server!.createDatabase(), onWarning: () => undefined });
  try {
    const start = Date.now();
    const { rows } = await sqlOf(slow).query<{ done: string }>("SELECT pg_sleep(12), 'slept' AS done");
    assert.equal(rows[0].done, 'slept');
    assert.ok(Date.now() - start >= 12_000);
  } finally {
    await slow.close();
  }
});

// A write given up on while the server is frozen was already sent: the server runs it, and commits
// it, when it goes on. BatchWriter then retries it: the chunks are keyed by (job_id, seq) and the
// end sets the same values again, so nothing is stored twice or changed.
test('writes given up on while the server is frozen commit when it goes on; their retries change nothing', { skip, timeout: 120_000 }, async () => {
  server ??= await startTestPostgres();
  const frozen = await PostgresJobStore.open({ url: await server!.createDatabase(), onWarning: () => undefined });
  try {
    await frozen.migrate();
    const job = newJob({ title: 'frozen mid-write' });
    await frozen.jobStarted(job);
    await frozen.appendChunks(job.id, lines(0, 100));
    // Two connections left idle in the pool, on which the two writes below go out.
    await Promise.all([frozen.getJob(job.id), frozen.getJob(job.id)]);
    const result = { status: 'failed', exitCode: 2, signal: null, durationMs: 1234, finishedAt: Date.now(), errors: 3, warnings: 1 } as const;
    const thaw = server!.control!.freeze();
    try {
      const start = Date.now();
      const [chunks, end] = await Promise.allSettled([frozen.appendChunks(job.id, lines(100, 100)), frozen.jobFinished(job.id, result)]);
      assert.ok(chunks.status === 'rejected' && chunks.reason instanceof StoreUnavailable, 'the chunks were given up on');
      assert.ok(end.status === 'rejected' && end.reason instanceof StoreUnavailable, 'the end was given up on');
      assert.ok(Date.now() - start < 15_000, `given up on after ${Date.now() - start} ms`);
    } finally {
      thaw();
    }
    // The server ran both once it went on.
    await until(async () => (await frozen.getJob(job.id))?.status === 'failed', 20_000, 'the end given up on to commit');
    const committed = await frozen.getJob(job.id);
    assert.equal(committed?.lastSeq, 199, 'the chunks given up on were committed');
    // What BatchWriter does next: the same writes again.
    assert.equal(await frozen.appendChunks(job.id, lines(100, 100)), 0, 'no chunk stored twice');
    await frozen.jobFinished(job.id, result);
    assert.deepEqual(await frozen.getJob(job.id), committed, 'the end stored once more is the same');
    assert.deepEqual(await readAll(frozen, job.id), lines(0, 200));
  } finally {
    await frozen.close();
  }
});
