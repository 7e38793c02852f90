import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { BatchWriter } from '../../../src/core/store/batchWriter';
import { PostgresJobStore } from '../../../src/core/store/postgresJobStore';
import { NO_POSTGRES, postgresAvailable, startTestPostgres, type TestPostgres } from '../../harness/postgres';
import { newJob, printing, readAll } from './helpers';

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
  server = await startTestPostgres();
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
