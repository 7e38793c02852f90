import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { io } from 'socket.io-client';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { PgliteJobStore } from '../../../src/core/store/pgliteJobStore';
import { pgliteThreadScript } from '../store/helpers';
import { acrossRestart, connect, get, lines, newJob, OPERATOR, startTestHub, tempDir, until, VIEWER, type Client, type TestHub } from './helpers';

const TIMEOUT = { timeout: 120_000 };
let t: TestHub;
const clients: Client[] = [];
before(async () => {
  t = await startTestHub();
}, TIMEOUT);
after(async () => {
  for (const c of clients) c.close();
  await t.close();
});

async function client(token: string): Promise<Client> {
  const c = await connect(t.hub.url, { token });
  clients.push(c);
  return c;
}

/** Reports are acknowledged once queued: waits until the store has the job in `status`. */
async function stored(jobId: string, status: string): Promise<void> {
  for (let i = 0; i < 200 && (await t.store.getJob(jobId))?.status !== status; i++) await new Promise((r) => setTimeout(r, 50));
}

/** The hub still answers a fresh viewer. */
async function stillServing(): Promise<void> {
  const c = await client(VIEWER);
  const answer = await c.timeout(10_000).emitWithAck('jobs:list', { limit: 1 });
  assert.equal(answer.ok, true);
  c.close();
}

test('no token, a wrong token, a token of the wrong type: refused at the handshake, slowed down', TIMEOUT, async () => {
  const start = Date.now();
  for (const auth of [undefined, {}, { token: 'wrong-token-wrong-token' }, { token: 42 }, { token: VIEWER.slice(0, -1) }]) {
    await assert.rejects(connect(t.hub.url, auth), /unauthorized/, JSON.stringify(auth));
  }
  // The test hub waits 20, 40, 80, 100, 100 ms before refusing.
  assert.ok(Date.now() - start >= 300, `refusals took ${Date.now() - start} ms`);
  await stillServing();
});

test('connecting to the main namespace instead of /jobs is refused', TIMEOUT, async () => {
  const socket = io(t.hub.url, { auth: { token: VIEWER }, transports: ['websocket'], reconnection: false, forceNew: true });
  const error = await new Promise<Error>((resolve) => socket.once('connect_error', resolve));
  socket.close();
  assert.match(error.message, /\/jobs namespace/);
});

test('a foreign Origin on the Socket.io handshake is refused', TIMEOUT, async () => {
  await assert.rejects(connect(t.hub.url, { token: VIEWER }, { extraHeaders: { origin: 'http://evil.example' } }));
  await stillServing();
});

test('a viewer token cannot cancel or report', TIMEOUT, async () => {
  const op = await client(OPERATOR);
  const viewer = await client(VIEWER);
  const job = newJob();
  assert.deepEqual(await op.timeout(10_000).emitWithAck('report:started', job), { ok: true, storedSeq: -1 });
  let asked = 0;
  op.on('cancel-job', (_request, ack) => {
    asked++;
    ack({ ok: true });
  });
  assert.deepEqual(await viewer.timeout(10_000).emitWithAck('cancel-job', job.id), { ok: false, error: 'cancel-job needs an operator token' });
  assert.deepEqual(await viewer.timeout(10_000).emitWithAck('report:started', newJob()), { ok: false, error: 'report:started needs an operator token' });
  const chunks = await viewer.timeout(10_000).emitWithAck('report:chunks', { jobId: job.id, chunks: [{ seq: 0, ts: 1, stream: 'stdout', text: 'forged\n' }] });
  assert.equal(chunks.ok, false);
  assert.deepEqual(await viewer.timeout(10_000).emitWithAck('report:catalog', { projects: [], vms: [] }), { ok: false, error: 'report:catalog needs an operator token' });
  assert.deepEqual(await viewer.timeout(10_000).emitWithAck('report:finished', { jobId: job.id, result: { status: 'success', exitCode: 0, signal: null, durationMs: 1, finishedAt: 1 } }), {
    ok: false,
    error: 'report:finished needs an operator token',
  });
  // The seed's form, without an ack: refused as job:error.
  const errors: unknown[] = [];
  viewer.on('job:error', (e) => errors.push(e));
  viewer.emit('cancel-job', job.id);
  await until(() => errors.length > 0, 10_000, 'job:error');
  assert.deepEqual(errors, [{ jobId: job.id, message: 'cancel-job needs an operator token' }]);
  assert.equal(asked, 0);
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(await t.store.readEvents(job.id, 0), []);
  assert.equal((await t.store.getJob(job.id))?.status, 'running');
});

test('malformed events are answered with an error, and the same connection keeps working', TIMEOUT, async () => {
  const op = await client(OPERATOR);
  const raw = op as unknown as { timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> }; emit(event: string, ...args: unknown[]): void };
  const bad: [string, unknown[]][] = [
    ['join-job', [{}]],
    ['join-job', [{ jobId: 'x', fromSeq: -5 }]],
    ['jobs:list', [{ status: 'nope' }]],
    ['jobs:list', ['not an object']],
    ['jobs:get', [null]],
    ['jobs:events', [{ jobId: 5 }]],
    ['report:started', [{ id: 'x' }]],
    ['report:started', [{ ...newJob(), id: 'not-a-uuid' }]],
    ['report:chunks', [{ jobId: newJob().id, chunks: 'lots' }]],
    ['report:chunks', [{ jobId: newJob().id, chunks: [{ seq: 0, ts: 0, stream: 'stdout', text: 'x' }] }]],
    ['report:finished', [{ jobId: 'x', result: { status: 'running' } }]],
    ['report:catalog', [{ projects: [] }]],
    ['report:catalog', [{ projects: [{ alias: '', dir: '/x' }], vms: [] }]],
    ['report:catalog', [{ projects: Array.from({ length: 5001 }, (_, i) => ({ alias: `p${i}`, dir: '/x' })), vms: [] }]],
    ['cancel-job', [[]]],
    ['jobs:list', [{}, 'extra']],
  ];
  for (const [event, args] of bad) {
    const answer = (await raw.timeout(10_000).emitWithAck(event, ...args)) as { ok: boolean; error: string };
    assert.equal(answer.ok, false, `${event} ${JSON.stringify(args)}`);
    assert.equal(typeof answer.error, 'string');
  }
  const errors: { message: string }[] = [];
  op.on('job:error', (e) => errors.push(e));
  raw.emit('join-job', 12);
  raw.emit('no-such-event', { a: 1 });
  raw.emit('join-job');
  await until(() => errors.length >= 2, 10_000, 'job:error');
  assert.deepEqual(errors.map((e) => e.message), ['Malformed join-job: request: expected an object, got 12', 'Malformed join-job: expected one payload, got 0']);
  assert.equal(((await op.timeout(10_000).emitWithAck('jobs:list', {})) as { ok: boolean }).ok, true);
  assert.equal(op.connected, true);
});

test('an oversized event closes that connection only; the hub keeps serving', TIMEOUT, async () => {
  const op = await client(OPERATOR);
  const job = newJob();
  await op.timeout(10_000).emitWithAck('report:started', job);
  const closed = new Promise<string>((resolve) => op.once('disconnect', resolve));
  op.emit('report:chunks', { jobId: job.id, chunks: [{ seq: 0, ts: 1, stream: 'stdout', text: 'x'.repeat(3 * 1024 * 1024) }] });
  assert.match(await closed, /transport/);
  await stillServing();
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(await t.store.readEvents(job.id, 0), []);
});

// The history's Delete: an operator deletes a finished job with its output; a viewer may not,
// and a running job is kept (its window still writes to it).
test('jobs:delete: operators only, finished jobs only, output and all', TIMEOUT, async () => {
  const op = await client(OPERATOR);
  const viewer = await client(VIEWER);
  const job = newJob();
  assert.deepEqual(await op.timeout(10_000).emitWithAck('report:started', job), { ok: true, storedSeq: -1 });
  assert.equal((await op.timeout(10_000).emitWithAck('report:chunks', { jobId: job.id, chunks: lines(0, 50) })).ok, true);
  await stored(job.id, 'running');

  assert.deepEqual(await viewer.timeout(10_000).emitWithAck('jobs:delete', job.id), { ok: false, error: 'jobs:delete needs an operator token' });
  assert.deepEqual(await op.timeout(10_000).emitWithAck('jobs:delete', job.id), { ok: false, error: `Job ${job.id} is running: cancel it first` });

  const result = { status: 'success' as const, exitCode: 0, signal: null, durationMs: 10, finishedAt: Date.now() };
  assert.deepEqual(await op.timeout(10_000).emitWithAck('report:finished', { jobId: job.id, result }), { ok: true, storedSeq: 49 });
  await stored(job.id, 'success');
  assert.deepEqual(await op.timeout(10_000).emitWithAck('jobs:delete', job.id), { ok: true });
  assert.equal(await t.store.getJob(job.id), undefined);
  assert.deepEqual(await t.store.readEvents(job.id, 0), []);
  assert.deepEqual(await op.timeout(10_000).emitWithAck('jobs:delete', job.id), { ok: false, error: `No job ${job.id}` });
});

test('values the store cannot hold are refused naming the field; the next job is stored whole and lists answer at once', TIMEOUT, async () => {
  const op = await client(OPERATOR);
  const poison: Array<[string, object]> = [
    ['startedAt', { ...newJob(), startedAt: 1e300 }],
    ['startedAt', { ...newJob(), startedAt: -8.64e15 }],
    ['exitCode', { ...newJob(), exitCode: 2 ** 40 }],
    ['durationMs', { ...newJob(), durationMs: 1e300 }],
    ['finishedAt', { ...newJob(), finishedAt: 8.64e15 + 1 }],
    ['alias', { ...newJob(), alias: '€'.repeat(1000) }],
  ];
  for (const [field, job] of poison) {
    const answer = await op.timeout(10_000).emitWithAck('report:started', job as never);
    assert.equal(answer.ok, false, field);
    assert.match((answer as { error: string }).error, new RegExp(`^Malformed report:started: ${field}: expected`));
  }
  const started = newJob();
  assert.equal((await op.timeout(10_000).emitWithAck('report:started', started)).ok, true);
  for (const [field, chunk] of [['ts', { seq: 0, ts: 1e300, stream: 'stdout', text: 'x' }], ['seq', { seq: 2 ** 31, ts: 0, stream: 'stdout', text: 'x' }]] as const) {
    const answer = await op.timeout(10_000).emitWithAck('report:chunks', { jobId: started.id, chunks: [chunk as never] });
    assert.match((answer as { error: string }).error, new RegExp(`chunks\\[0\\]\\.${field}: expected`));
  }
  const bad = await op.timeout(10_000).emitWithAck('report:finished', { jobId: started.id, result: { status: 'success', exitCode: 0, signal: null, durationMs: 1e300, finishedAt: 1 } });
  assert.match((bad as { error: string }).error, /result\.durationMs: expected/);

  const job = newJob();
  assert.equal((await op.timeout(10_000).emitWithAck('report:started', job)).ok, true);
  assert.equal((await op.timeout(10_000).emitWithAck('report:chunks', { jobId: job.id, chunks: lines(0, 100) })).ok, true);
  const start = Date.now();
  const listed = await op.timeout(10_000).emitWithAck('jobs:list', { limit: 5 });
  assert.ok(listed.ok && Date.now() - start < 4000);
  await until(async () => (await t.store.readEvents(job.id, 0)).length === 100, 4000, 'the 100 chunks to be stored');
  const http = await get(t.hub.url, '/api/jobs?from=1e22');
  assert.equal(http.status, 400);
  const huge = await get(t.hub.url, `/api/jobs?from=${'9'.repeat(30)}`);
  assert.equal(huge.status, 400);
  assert.match(String(huge.body.error), /^from: expected a time from year 1 to 9999/);
});

// An acknowledged end tells a reporter it may forget the job: an end of a job this hub has never
// heard of, and that is not stored, is refused as its output is, and stores nothing.
test('report:finished for a job that was never started is refused naming the job; the reporter\'s other jobs are stored', TIMEOUT, async () => {
  const op = await client(OPERATOR);
  const ghost = newJob();
  const result = { status: 'success' as const, exitCode: 0, signal: null, durationMs: 10, finishedAt: Date.now() };
  const answer = await op.timeout(10_000).emitWithAck('report:finished', { jobId: ghost.id, result });
  assert.equal(answer.ok, false, JSON.stringify(answer));
  assert.ok(!answer.ok && answer.error.includes(ghost.id) && !('retryAfterMs' in answer), JSON.stringify(answer));
  assert.equal(await t.store.getJob(ghost.id), undefined);
  const job = newJob();
  assert.equal((await op.timeout(10_000).emitWithAck('report:started', job)).ok, true);
  assert.equal((await op.timeout(10_000).emitWithAck('report:chunks', { jobId: job.id, chunks: lines(0, 5) })).ok, true);
  assert.deepEqual(await op.timeout(10_000).emitWithAck('report:finished', { jobId: job.id, result }), { ok: true, storedSeq: 4 });
  assert.equal((await t.store.getJob(job.id))?.status, 'success');
  // Reported again (its acknowledgement was lost): still known, still acknowledged.
  assert.deepEqual(await op.timeout(10_000).emitWithAck('report:finished', { jobId: job.id, result }), { ok: true, storedSeq: 4 });
  assert.equal(await t.store.getJob(ghost.id), undefined);
});

test('report:finished alone after a restart of the hub, for a job whose start an earlier hub stored, is acknowledged and stored', TIMEOUT, () =>
  acrossRestart(async (first, restart) => {
    const before = await connect(first.hub.url, { token: OPERATOR });
    clients.push(before);
    const job = newJob();
    assert.equal((await before.timeout(10_000).emitWithAck('report:started', job)).ok, true);
    assert.equal((await before.timeout(10_000).emitWithAck('report:chunks', { jobId: job.id, chunks: lines(0, 3) })).ok, true);
    const second = await restart();
    const after = await connect(second.hub.url, { token: OPERATOR });
    clients.push(after);
    const viewer = await connect(second.hub.url, { token: VIEWER });
    clients.push(viewer);
    const done = new Promise((resolve) => viewer.on('job:done', (e) => e.jobId === job.id && resolve(e)));
    const result = { status: 'failed' as const, exitCode: 2, signal: null, durationMs: 10, finishedAt: Date.now() };
    assert.deepEqual(await after.timeout(10_000).emitWithAck('report:finished', { jobId: job.id, result }), { ok: true, storedSeq: -1 });
    assert.deepEqual(await done, { jobId: job.id, ...result });
    const stored = await second.store.getJob(job.id);
    assert.equal(stored?.status, 'failed');
    assert.equal(stored?.exitCode, 2);
  }),
);

test('a reporter id the store cannot hold as sent (NUL, a lone surrogate) is announced as it is stored', TIMEOUT, async () => {
  const op = await connect(t.hub.url, { token: OPERATOR, reporter: 'win\0dow\uD800', protocol: 2 });
  clients.push(op);
  const viewer = await client(VIEWER);
  const job = newJob();
  const announced = new Promise<unknown>((resolve) => viewer.on('job:started', (j) => j.id === job.id && resolve((j as { reporter?: unknown }).reporter)));
  assert.equal((await op.timeout(10_000).emitWithAck('report:started', job)).ok, true);
  assert.equal(await announced, 'window\uFFFD');
  const read = await viewer.timeout(10_000).emitWithAck('jobs:get', job.id);
  assert.ok(read.ok, JSON.stringify(read));
  assert.equal(read.job.reporter, 'window\uFFFD');
});

// The hub process exits when its store is lost (main.ts); a hub run as a library goes on, and must
// not tell a reporter that a job is stored to its end when it is not: the reporter would forget it.
test('the store lost mid-job (its folder deleted): the end is not acknowledged as stored, the reporter is asked to send it again, reads are answered 503', TIMEOUT, async () => {
  const root = tempDir();
  const store = await PgliteJobStore.open({ dir: path.join(root.dir, 'db'), thread: pgliteThreadScript(root.dir) });
  const lost = await startTestHub({ store });
  const op = await connect(lost.hub.url, { token: OPERATOR, protocol: 2 });
  try {
    const job = newJob();
    assert.equal((await op.timeout(10_000).emitWithAck('report:started', job)).ok, true);
    await op.timeout(10_000).emitWithAck('report:chunks', { jobId: job.id, chunks: lines(0, 10) });
    await until(async () => (await store.getJob(job.id))?.lastSeq === 9, 10_000, 'the first chunks to be stored');
    rmSync(path.join(root.dir, 'db'), { recursive: true, force: true });
    const chunks = await op.timeout(10_000).emitWithAck('report:chunks', { jobId: job.id, chunks: lines(10, 10) });
    assert.deepEqual(chunks, { ok: true, accepted: 10, storedSeq: 9 });
    const result = { status: 'success', exitCode: 0, signal: null, durationMs: 1, finishedAt: Date.now() } as const;
    const finished = await op.timeout(10_000).emitWithAck('report:finished', { jobId: job.id, result });
    assert.deepEqual(finished, {
      ok: false,
      error: `The job store is lost (The embedded database's folder ${path.join(root.dir, 'db')} was deleted or replaced while it ran): the end of job ${job.id} is not stored; send it again`,
      retryAfterMs: 1000,
    });
    const read = await get(lost.hub.url, '/api/jobs');
    assert.equal(read.status, 503);
    assert.match(String(read.body.error), /^The embedded database's folder \S+ was deleted or replaced while it ran$/);
  } finally {
    op.close();
    await lost.close().catch(() => undefined);
    root.remove();
  }
});
