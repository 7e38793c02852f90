// Two hubs on two loopback ports over one real PostgreSQL database: what is reported to hub A is
// seen live, in order and complete, by the clients of hub B.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PostgresJobStore } from '../../../src/core/store/postgresJobStore';
import type { JobDoneEvent, JobLogEvent } from '../../../src/shared/hubProtocol';
import type { JobInfo } from '../../../src/shared/jobs';
import { NO_POSTGRES, postgresAvailable, startTestPostgres, type TestPostgres } from '../../harness/postgres';
import { readAll } from '../store/helpers';
import { accepted, assertReportsRefused, connect, lines, newJob, newReporterKey, OPERATOR, startTestHub, until, VIEWER, type Client, type TestHub } from './helpers';

const TIMEOUT = { timeout: 120_000, skip: postgresAvailable() ? undefined : NO_POSTGRES };
let server: TestPostgres | undefined;
let a: TestHub;
let b: TestHub;
const clients: Client[] = [];

/** A short grace: a job whose window left a hub is interrupted by that hub unless another took it over. */
const GRACE_MS = 300;

async function hubOn(url: string): Promise<TestHub> {
  return startTestHub({ store: await PostgresJobStore.open({ url }), cluster: url, graceMs: GRACE_MS });
}

before(async () => {
  if (!postgresAvailable()) return;
  server = await startTestPostgres();
  const url = await server!.createDatabase();
  a = await hubOn(url);
  b = await hubOn(url);
  // Each hub knows the other once it heard from it (a heartbeat every 5 s at the latest).
  await until(async () => (await a.hub.hubs()) === 2 && (await b.hub.hubs()) === 2, 20_000, 'the hubs to know each other');
}, { timeout: 120_000 });

after(async () => {
  for (const c of clients) c.close();
  await b?.close();
  await a?.close();
  await server?.close();
});

async function client(hub: TestHub, token: string): Promise<Client> {
  const c = await connect(hub.hub.url, { token });
  clients.push(c);
  return c;
}

/** Everything one socket hears about one job; `join` joins it (replaying from `fromSeq`). */
function watch(c: Client, jobId: string): { started: JobInfo[]; logs: JobLogEvent[]; done: JobDoneEvent[]; join(fromSeq?: number): Promise<void> } {
  const seen = {
    started: [] as JobInfo[],
    logs: [] as JobLogEvent[],
    done: [] as JobDoneEvent[],
    async join(fromSeq?: number) {
      const answer = await c.timeout(30_000).emitWithAck('join-job', fromSeq === undefined ? jobId : { jobId, fromSeq });
      assert.equal(answer.ok, true, JSON.stringify(answer));
    },
  };
  c.on('job:started', (j) => j.id === jobId && seen.started.push(j));
  c.on('job:log', (e) => e.jobId === jobId && seen.logs.push(e));
  c.on('job:done', (e) => e.jobId === jobId && seen.done.push(e));
  return seen;
}

const finished = { status: 'success', exitCode: 0, signal: null, durationMs: 10, finishedAt: Date.now() } as const;
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

test('a client of hub B that joins mid-job from seq 0 gets every chunk reported to hub A once, in order, then job:done', TIMEOUT, async () => {
  const op = await client(a, OPERATOR);
  const lister = await client(b, VIEWER);
  const job = newJob();
  const listed = watch(lister, job.id);
  assert.deepEqual(await op.timeout(10_000).emitWithAck('report:started', job), { ok: true, storedSeq: -1 });
  await until(() => listed.started.length > 0, 10_000, 'job:started on hub B');

  // Reports alternate between one chunk (a small message between hubs) and 300 (one large enough
  // to travel through the database table), so that they may arrive at B out of order.
  // Viewers of hub B join at three points, each right after hub A acknowledged a report (its
  // writer may not have stored that yet), while the reports go on.
  const total = 4000;
  const late: ReturnType<typeof watch>[] = [];
  const joins: Promise<void>[] = [];
  for (let i = 0, sent = 0; sent < total; i++) {
    const count = Math.min(i % 2 === 0 ? 1 : 300, total - sent);
    const chunks = lines(sent, count);
    assert.equal(accepted(await op.timeout(10_000).emitWithAck('report:chunks', { jobId: job.id, chunks })), count);
    sent += count;
    if (i % 9 !== 4) continue;
    const seen = watch(await client(b, VIEWER), job.id);
    late.push(seen);
    joins.push(seen.join(0));
  }
  assert.equal(late.length, 3);
  await Promise.all(joins);
  assert.deepEqual(await op.timeout(10_000).emitWithAck('report:finished', { jobId: job.id, result: finished }), { ok: true, storedSeq: total - 1 });
  for (const seen of late) {
    await until(() => seen.done.length > 0, 30_000, 'job:done on hub B');
    assert.deepEqual(
      seen.logs.map((l) => l.seq),
      range(total),
    );
    assert.deepEqual(seen.logs[1234], { jobId: job.id, seq: 1234, ts: lines(1234, 1)[0].ts, stream: 'stdout', chunk: 'line 1234\n' });
  }
  await until(() => listed.done.length > 0, 10_000, 'job:done for the lister of hub B');
  // Anything sent twice would have arrived by the time a later answer does.
  await lister.timeout(10_000).emitWithAck('jobs:list', { limit: 1 });
  for (const seen of late) assert.deepEqual(seen.done, [{ jobId: job.id, ...finished }]);
  assert.deepEqual([listed.started.map((j) => j.id), listed.done, listed.logs], [[job.id], [{ jobId: job.id, ...finished }], []]);
});

test('a client of hub B watching live only (no fromSeq) gets what is reported to hub A from then on, in order', TIMEOUT, async () => {
  const op = await client(a, OPERATOR);
  const job = newJob();
  const viewer = await client(b, VIEWER);
  const seen = watch(viewer, job.id);
  assert.deepEqual(await op.timeout(10_000).emitWithAck('report:started', job), { ok: true, storedSeq: -1 });
  await until(() => seen.started.length > 0, 10_000, 'job:started on hub B');
  await seen.join();
  for (let seq = 0; seq < 600; seq += 200) {
    await op.timeout(10_000).emitWithAck('report:chunks', { jobId: job.id, chunks: lines(seq, 200) });
  }
  await op.timeout(10_000).emitWithAck('report:finished', { jobId: job.id, result: { ...finished, status: 'failed', exitCode: 3 } });
  await until(() => seen.done.length > 0, 30_000, 'job:done on hub B');
  assert.deepEqual(
    seen.logs.map((l) => l.seq),
    range(600),
  );
  assert.deepEqual(seen.done, [{ jobId: job.id, ...finished, status: 'failed', exitCode: 3 }]);
});

test('a cancel asked on hub B reaches the window that reports the job to hub A', TIMEOUT, async () => {
  const op = await client(a, OPERATOR);
  const asked: unknown[] = [];
  op.on('cancel-job', (request, ack) => {
    asked.push(request);
    ack({ ok: true });
  });
  const job = newJob();
  assert.deepEqual(await op.timeout(10_000).emitWithAck('report:started', job), { ok: true, storedSeq: -1 });
  const other = await client(b, OPERATOR);
  assert.deepEqual(await other.timeout(10_000).emitWithAck('cancel-job', { jobId: job.id }), { ok: true });
  assert.deepEqual(asked, [{ jobId: job.id }]);
  const unknown = newJob().id;
  assert.deepEqual(await other.timeout(10_000).emitWithAck('cancel-job', unknown), { ok: false, error: `No connected window runs job ${unknown}` });
  await op.timeout(10_000).emitWithAck('report:finished', { jobId: job.id, result: { ...finished, status: 'canceled', exitCode: null } });
});

test('a window that moves from hub A to hub B keeps its job: no interruption, and B\'s watchers see the rest', TIMEOUT, async () => {
  const job = newJob();
  const first = await connect(a.hub.url, { token: OPERATOR, reporter: 'window-1' });
  clients.push(first);
  assert.deepEqual(await first.timeout(10_000).emitWithAck('report:started', job), { ok: true, storedSeq: -1 });
  await first.timeout(10_000).emitWithAck('report:chunks', { jobId: job.id, chunks: lines(0, 10) });
  const viewer = await client(b, VIEWER);
  const seen = watch(viewer, job.id);
  await seen.join(0);
  first.close();
  // The window reconnects to the other hub and reports the job again, as a HubReporter does.
  const second = await connect(b.hub.url, { token: OPERATOR, reporter: 'window-1' });
  clients.push(second);
  assert.deepEqual(await second.timeout(10_000).emitWithAck('report:started', job), { ok: true, storedSeq: -1 });
  await second.timeout(10_000).emitWithAck('report:chunks', { jobId: job.id, chunks: lines(5, 15) });
  // Well past hub A's grace period for the window that left it.
  await new Promise((resolve) => setTimeout(resolve, 3 * GRACE_MS));
  assert.deepEqual(seen.done, []);
  await second.timeout(10_000).emitWithAck('report:finished', { jobId: job.id, result: finished });
  await until(() => seen.done.length > 0, 30_000, 'job:done on hub B');
  assert.deepEqual(
    seen.logs.map((l) => l.seq),
    range(20),
  );
  assert.deepEqual(seen.done, [{ jobId: job.id, ...finished }]);
  await until(async () => (await a.store.getJob(job.id))?.status === 'success', 10_000, 'the end stored');
});

// A finish alone, at a hub that did not hear the start, is known by the hub the start went to:
// acknowledged and stored, and the job ends on both hubs. One that no hub heard of is refused.
test('report:finished at hub B for a job started at hub A is acknowledged and ends the job everywhere; one never started is refused', TIMEOUT, async () => {
  const job = newJob();
  const atA = await client(a, OPERATOR);
  const atB = await client(b, OPERATOR);
  const viewerA = await client(a, VIEWER);
  const seenA = watch(viewerA, job.id);
  assert.equal((await atA.timeout(10_000).emitWithAck('report:started', job)).ok, true);
  await seenA.join(0);
  assert.equal(accepted(await atA.timeout(10_000).emitWithAck('report:chunks', { jobId: job.id, chunks: lines(0, 5) })), 5);
  const result = { ...finished, status: 'failed', exitCode: 4 } as const;
  const answer = await atB.timeout(10_000).emitWithAck('report:finished', { jobId: job.id, result });
  assert.equal(answer.ok, true, JSON.stringify(answer));
  await until(() => seenA.done.length > 0, 30_000, 'job:done on hub A');
  assert.deepEqual(seenA.done, [{ jobId: job.id, ...result }]);
  assert.equal((await b.store.getJob(job.id))?.status, 'failed');
  // Hub A no longer has it running: its window's late report of the end changes nothing.
  assert.equal((await atA.timeout(10_000).emitWithAck('report:finished', { jobId: job.id, result })).ok, true);

  const ghost = newJob();
  const refused = await atB.timeout(10_000).emitWithAck('report:finished', { jobId: ghost.id, result });
  assert.ok(!refused.ok && refused.error.includes(ghost.id), JSON.stringify(refused));
  assert.equal(await b.store.getJob(ghost.id), undefined);
});

// Every hub of the cluster knows from the store who may report a job: a client of either hub that
// does not hold the key of the window that started it is refused its end, its start (which would
// also take the job from the hub that runs it) and its output, before and after the window moved.
test('a job is reported only by the window that started it, at either hub, also after it moved from hub A to hub B', TIMEOUT, async () => {
  const job = newJob();
  const auth = { token: OPERATOR, reporter: 'window-2', key: newReporterKey() };
  const first = await connect(a.hub.url, auth);
  clients.push(first);
  const seen = watch(await client(b, VIEWER), job.id);
  assert.equal((await first.timeout(10_000).emitWithAck('report:started', job)).ok, true);
  await until(() => seen.started.length > 0, 10_000, 'job:started on hub B');
  await seen.join(0);
  assert.equal(accepted(await first.timeout(10_000).emitWithAck('report:chunks', { jobId: job.id, chunks: lines(0, 50) })), 50);
  // Output is refused as another window's where the job runs, and as not running at the other hub.
  const refusedAt = async (running: TestHub, seq: number): Promise<void> => {
    for (const [hub, other] of [[a, {}], [b, { reporter: 'window-2', key: newReporterKey() }], [b, { reporter: 'window-2' }], [a, { reporter: 'window-2', key: newReporterKey() }]] as const) {
      const intruder = await connect(hub.hub.url, { token: OPERATOR, ...other });
      clients.push(intruder);
      await assertReportsRefused(intruder, job, seq, hub === running ? /reported by another window/ : /not running here/);
    }
  };
  await refusedAt(a, 50);
  assert.equal(accepted(await first.timeout(10_000).emitWithAck('report:chunks', { jobId: job.id, chunks: lines(50, 50) })), 50);
  first.close();
  const second = await connect(b.hub.url, auth);
  clients.push(second);
  assert.equal((await second.timeout(10_000).emitWithAck('report:started', job)).ok, true);
  assert.equal(accepted(await second.timeout(10_000).emitWithAck('report:chunks', { jobId: job.id, chunks: lines(100, 50) })), 50);
  await refusedAt(b, 150);
  assert.deepEqual(await second.timeout(10_000).emitWithAck('report:finished', { jobId: job.id, result: finished }), { ok: true, storedSeq: 149 });
  await until(() => seen.done.length > 0, 30_000, 'job:done on hub B');
  assert.deepEqual(
    seen.logs.map((l) => l.seq),
    range(150),
  );
  assert.deepEqual(seen.done, [{ jobId: job.id, ...finished }]);
  // Hub A stores what it took on its own time: hub B's answer speaks for its own writes.
  await until(async () => (await readAll(a.store, job.id)).length === 150, 10_000, 'hub A to store the output it took');
  assert.deepEqual(await readAll(a.store, job.id), lines(0, 150));
  assert.equal((await a.store.getJob(job.id))?.status, 'success');
});
