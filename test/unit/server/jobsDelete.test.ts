import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connect, lines, newJob, OPERATOR, startTestHub, VIEWER, type Client, type TestHub } from './helpers';

const TIMEOUT = { timeout: 60_000 };
let t: TestHub;
const clients: Client[] = [];
before(async () => {
  t = await startTestHub();
}, TIMEOUT);
after(async () => {
  for (const c of clients) c.close();
  await t.close();
});

/** Reports are acknowledged once queued: waits until the store has the job in `status`. */
async function stored(jobId: string, status: string): Promise<void> {
  for (let i = 0; i < 200 && (await t.store.getJob(jobId))?.status !== status; i++) await new Promise((r) => setTimeout(r, 50));
}

async function client(token: string): Promise<Client> {
  const c = await connect(t.hub.url, { token });
  clients.push(c);
  return c;
}

// The history's Delete: an operator deletes a finished job with its output; a viewer may not,
// and a running job is kept (its window still writes to it).
test('jobs:delete: operators only, finished jobs only, output and all', TIMEOUT, async () => {
  const op = await client(OPERATOR);
  const viewer = await client(VIEWER);
  const job = newJob();
  assert.deepEqual(await op.timeout(10_000).emitWithAck('report:started', job), { ok: true });
  assert.equal((await op.timeout(10_000).emitWithAck('report:chunks', { jobId: job.id, chunks: lines(0, 50) })).ok, true);
  await stored(job.id, 'running');

  assert.deepEqual(await viewer.timeout(10_000).emitWithAck('jobs:delete', job.id), { ok: false, error: 'jobs:delete needs an operator token' });
  assert.deepEqual(await op.timeout(10_000).emitWithAck('jobs:delete', job.id), { ok: false, error: `Job ${job.id} is running: cancel it first` });

  const result = { status: 'success' as const, exitCode: 0, signal: null, durationMs: 10, finishedAt: Date.now() };
  assert.deepEqual(await op.timeout(10_000).emitWithAck('report:finished', { jobId: job.id, result }), { ok: true });
  await stored(job.id, 'success');
  assert.deepEqual(await op.timeout(10_000).emitWithAck('jobs:delete', job.id), { ok: true });
  assert.equal(await t.store.getJob(job.id), undefined);
  assert.deepEqual(await t.store.readEvents(job.id, 0), []);
  assert.deepEqual(await op.timeout(10_000).emitWithAck('jobs:delete', job.id), { ok: false, error: `No job ${job.id}` });
});
