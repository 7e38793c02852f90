import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { JobDoneEvent, JobLogEvent } from '../../../src/shared/hubProtocol';
import type { JobInfo } from '../../../src/shared/jobs';
import { accepted, connect, lines, newJob, OPERATOR, startTestHub, until, VIEWER, type Client, type TestHub } from './helpers';

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

const finished = { status: 'success', exitCode: 0, signal: null, durationMs: 10, finishedAt: Date.now() } as const;

/** Everything one socket hears about one job. */
function watch(c: Client, jobId: string): { logs: JobLogEvent[]; done: JobDoneEvent[] } {
  const seen = { logs: [] as JobLogEvent[], done: [] as JobDoneEvent[] };
  c.on('job:log', (e) => e.jobId === jobId && seen.logs.push(e));
  c.on('job:done', (e) => e.jobId === jobId && seen.done.push(e));
  return seen;
}

async function reportStarted(op: Client, job: JobInfo): Promise<void> {
  assert.deepEqual(await op.timeout(10_000).emitWithAck('report:started', job), { ok: true, storedSeq: -1 });
}

/** A job an operator started and a viewer joined, with what the viewer hears of it. */
async function watchedJob(): Promise<{ op: Client; viewer: Client; job: JobInfo; seen: ReturnType<typeof watch> }> {
  const op = await client(OPERATOR);
  const viewer = await client(VIEWER);
  const job = newJob();
  await reportStarted(op, job);
  const seen = watch(viewer, job.id);
  await viewer.timeout(10_000).emitWithAck('join-job', job.id);
  return { op, viewer, job, seen };
}

async function reportChunks(op: Client, jobId: string, from: number, count: number, batch = 500): Promise<void> {
  for (let seq = from; seq < from + count; seq += batch) {
    const chunks = lines(seq, Math.min(batch, from + count - seq));
    assert.equal(accepted(await op.timeout(10_000).emitWithAck('report:chunks', { jobId, chunks })), chunks.length);
  }
}

const seqs = (logs: JobLogEvent[]): number[] => logs.map((l) => l.seq);
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

test('a viewer that joined sees all 10,000 chunks of a job in order, each with its seq, then job:done', TIMEOUT, async () => {
  const op = await client(OPERATOR);
  const viewer = await client(VIEWER);
  const job = newJob();
  const started: JobInfo[] = [];
  viewer.on('job:started', (j) => started.push(j));
  await reportStarted(op, job);
  await until(() => started.some((j: JobInfo) => j.id === job.id), 10_000, 'job:started');
  const seen = watch(viewer, job.id);
  const joined = await viewer.timeout(10_000).emitWithAck('join-job', job.id);
  assert.deepEqual(joined, { ok: true, status: 'running' });
  await reportChunks(op, job.id, 0, 10_000);
  assert.deepEqual(await op.timeout(10_000).emitWithAck('report:finished', { jobId: job.id, result: finished }), { ok: true, storedSeq: 9999 }, 'answered once the job is stored to its end');
  await until(() => seen.done.length > 0, 30_000, 'job:done');
  assert.deepEqual(seqs(seen.logs), range(10_000));
  assert.deepEqual(seen.logs[42], { jobId: job.id, seq: 42, ts: lines(42, 1)[0].ts, stream: 'stdout', chunk: 'line 42\n' });
  assert.deepEqual(seen.done, [{ jobId: job.id, ...finished }], 'the whole result');
  await until(async () => (await t.store.getJob(job.id))?.status === 'success', 10_000, 'the job stored');
  const stored = await t.store.getJob(job.id);
  assert.equal(stored?.lastSeq, 9999);
});

test('a viewer that joins mid-job with fromSeq 0 gets the stored output, then live, without a gap or a repeat', TIMEOUT, async () => {
  const op = await client(OPERATOR);
  const job = newJob();
  await reportStarted(op, job);
  const total = 6000;
  let sent = 0;
  // The operator keeps reporting small batches while viewers join at different points.
  const producing = (async () => {
    for (; sent < total; sent += 50) {
      await reportChunks(op, job.id, sent, 50, 50);
      if (sent % 500 === 0) await new Promise((r) => setImmediate(r));
    }
    await op.timeout(10_000).emitWithAck('report:finished', { jobId: job.id, result: finished });
  })();
  const late: { logs: JobLogEvent[]; done: JobDoneEvent[] }[] = [];
  for (const after of [300, 2000, 4000]) {
    await until(() => sent >= after, 30_000, `${after} chunks reported`);
    const viewer = await client(VIEWER);
    const seen = watch(viewer, job.id);
    late.push(seen);
    const answer = await viewer.timeout(30_000).emitWithAck('join-job', { jobId: job.id, fromSeq: 0 });
    assert.equal(answer.ok, true);
  }
  await producing;
  for (const seen of late) {
    await until(() => seen.done.length > 0, 30_000, 'job:done');
    assert.deepEqual(seqs(seen.logs), range(total));
    assert.equal(seen.done.length, 1);
  }
  // Joining after the end replays everything from the store and reports the end.
  const viewer = await client(VIEWER);
  const seen = watch(viewer, job.id);
  const answer = await viewer.timeout(30_000).emitWithAck('join-job', { jobId: job.id, fromSeq: 5990 });
  assert.deepEqual(answer, { ok: true, lastSeq: 5999, status: 'success' });
  await until(() => seen.done.length > 0, 10_000, 'job:done');
  assert.deepEqual(seqs(seen.logs), range(10).map((i) => 5990 + i));
});

test('job:done reaches every client once: those watching the job and those only listing jobs', TIMEOUT, async () => {
  const op = await client(OPERATOR);
  const watcher = await client(VIEWER);
  const lister = await client(VIEWER);
  const job = newJob();
  await reportStarted(op, job);
  const watched = watch(watcher, job.id);
  const listed = watch(lister, job.id);
  await watcher.timeout(10_000).emitWithAck('join-job', job.id);
  await reportChunks(op, job.id, 0, 3);
  await op.timeout(10_000).emitWithAck('report:finished', { jobId: job.id, result: { ...finished, status: 'failed', exitCode: 2 } });
  await until(() => watched.done.length > 0 && listed.done.length > 0, 10_000, 'job:done on both');
  // Anything sent twice would have arrived by the time a later answer does.
  await watcher.timeout(10_000).emitWithAck('jobs:list', { limit: 1 });
  await lister.timeout(10_000).emitWithAck('jobs:list', { limit: 1 });
  const done = [{ jobId: job.id, ...finished, status: 'failed', exitCode: 2 }];
  assert.deepEqual([watched.done, listed.done], [done, done]);
  assert.deepEqual([seqs(watched.logs), seqs(listed.logs)], [range(3), []]);
});

test('a viewer still catching up when the job ends gets job:done once, after all of the output', TIMEOUT, async () => {
  const op = await client(OPERATOR);
  const viewer = await client(VIEWER);
  const job = newJob();
  await reportStarted(op, job);
  const total = 40_000;
  await reportChunks(op, job.id, 0, total, 1000);
  const seen = watch(viewer, job.id);
  const logsBeforeDone: number[] = [];
  viewer.on('job:done', () => logsBeforeDone.push(seen.logs.length));
  // The end is reported as soon as the replay begins (not after polling for it, by which time a
  // fast replay may be over): it comes while the replay of 40 pages is under way.
  const reported = new Promise((resolve) => viewer.once('job:log', () => resolve(op.timeout(10_000).emitWithAck('report:finished', { jobId: job.id, result: finished }))));
  const joined = viewer.timeout(60_000).emitWithAck('join-job', { jobId: job.id, fromSeq: 0 });
  await reported;
  assert.deepEqual(await joined, { ok: true, lastSeq: total - 1, status: 'success' });
  await until(() => seen.done.length > 0, 10_000, 'job:done');
  await viewer.timeout(10_000).emitWithAck('jobs:list', { limit: 1 });
  assert.deepEqual(logsBeforeDone, [total]);
  assert.deepEqual(seqs(seen.logs), range(total));
});

test('a replayed spool (same seqs again) is stored once and not sent twice', TIMEOUT, async () => {
  const { op, viewer, job, seen } = await watchedJob();
  await reportChunks(op, job.id, 0, 100);
  await reportStarted(op, job);
  await reportChunks(op, job.id, 0, 150);
  await op.timeout(10_000).emitWithAck('report:finished', { jobId: job.id, result: finished });
  await until(() => seen.done.length > 0, 10_000, 'job:done');
  assert.deepEqual(seqs(seen.logs), range(150));
  await until(async () => (await t.store.getJob(job.id))?.status === 'success', 10_000, 'the job stored');
  const events = await viewer.timeout(10_000).emitWithAck('jobs:events', { jobId: job.id, fromSeq: 0, limit: 1000 });
  assert.equal(events.ok && events.chunks.length, 150);
});

test('a seq sent twice in one report is taken once, the first: watchers see what the store keeps', TIMEOUT, async () => {
  const { op, viewer, job, seen } = await watchedJob();
  const chunk = (seq: number, text: string) => ({ seq, ts: Date.now(), stream: 'stdout' as const, text });
  await op.timeout(10_000).emitWithAck('report:chunks', { jobId: job.id, chunks: [chunk(0, 'first\n'), chunk(1, 'A\n'), chunk(1, 'B\n')] });
  await op.timeout(10_000).emitWithAck('report:finished', { jobId: job.id, result: finished });
  await until(() => seen.done.length > 0, 10_000, 'job:done');
  assert.deepEqual(seen.logs.map((e) => e.chunk), ['first\n', 'A\n']);
  const events = await viewer.timeout(10_000).emitWithAck('jobs:events', { jobId: job.id, fromSeq: 0, limit: 10 });
  assert.deepEqual(events.ok && events.chunks.map((c: { text: string }) => c.text), ['first\n', 'A\n']);
});

test('jobs:list, jobs:get and jobs:events answer through acks', TIMEOUT, async () => {
  const op = await client(OPERATOR);
  const viewer = await client(VIEWER);
  const a = newJob({ alias: 'api', title: 'api test', argv: ['make', 'unique-needle'] });
  await reportStarted(op, a);
  await reportChunks(op, a.id, 0, 30);
  await op.timeout(10_000).emitWithAck('report:finished', { jobId: a.id, result: { ...finished, status: 'failed', exitCode: 2 } });
  await until(async () => (await t.store.getJob(a.id))?.status === 'failed', 10_000, 'the job stored');

  const list = await viewer.timeout(10_000).emitWithAck('jobs:list', { alias: 'api', status: 'failed' });
  assert.ok(list.ok);
  assert.deepEqual(list.jobs.map((j: { id: string }) => j.id), [a.id]);
  const byText = await viewer.timeout(10_000).emitWithAck('jobs:list', { text: 'unique-needle' });
  assert.ok(byText.ok && byText.jobs.length === 1);
  const paged = await viewer.timeout(10_000).emitWithAck('jobs:list', { limit: 1 });
  assert.ok(paged.ok && paged.jobs.length === 1 && typeof paged.nextCursor === 'string');
  const next = await viewer.timeout(10_000).emitWithAck('jobs:list', { limit: 1, cursor: paged.nextCursor });
  assert.ok(next.ok && next.jobs.length === 1 && next.jobs[0].id !== paged.jobs[0].id);

  const got = await viewer.timeout(10_000).emitWithAck('jobs:get', a.id);
  assert.ok(got.ok);
  assert.equal(got.job.exitCode, 2);
  assert.equal(got.job.lastSeq, 29);
  assert.deepEqual(await viewer.timeout(10_000).emitWithAck('jobs:get', 'no-such-job'), { ok: false, error: 'No job no-such-job' });

  const events = await viewer.timeout(10_000).emitWithAck('jobs:events', { jobId: a.id, fromSeq: 25 });
  assert.ok(events.ok);
  assert.deepEqual(events.chunks, lines(25, 5));
  // Back from the end, as a finished job opens; then the page before that, as it scrolls up.
  const page = (request: object) => viewer.timeout(10_000).emitWithAck('jobs:events', { jobId: a.id, ...request });
  assert.deepEqual(await page({ beforeSeq: 'end', maxBytes: 16 }), { ok: true, chunks: lines(28, 2) });
  assert.deepEqual(await page({ beforeSeq: 28, limit: 3 }), { ok: true, chunks: lines(25, 3) });
  assert.deepEqual(await page({ beforeSeq: 0 }), { ok: true, chunks: [] });
  assert.deepEqual(await page({ fromSeq: 0, maxBytes: 20 }), { ok: true, chunks: lines(0, 3) });
  for (const bad of [{ fromSeq: 0, beforeSeq: 5 }, { beforeSeq: 'start' }, { beforeSeq: -1 }, { maxBytes: 0 }, { maxBytes: 5 * 1024 * 1024 }]) {
    const answer = await page(bad);
    assert.equal(answer.ok, false, JSON.stringify(bad));
  }
});

test('cancel-job from an operator is forwarded to the operator that reports the job, and its answer comes back', TIMEOUT, async () => {
  const runner = await client(OPERATOR);
  const other = await client(OPERATOR);
  const job = newJob();
  await reportStarted(runner, job);
  const asked: string[] = [];
  runner.on('cancel-job', (request, ack) => {
    asked.push(request.jobId);
    ack({ ok: true });
  });
  other.on('cancel-job', () => assert.fail('the cancel went to the wrong window'));
  assert.deepEqual(await other.timeout(15_000).emitWithAck('cancel-job', job.id), { ok: true });
  assert.deepEqual(asked, [job.id]);
  // The seed's form, without an ack; an unknown job is answered with job:error.
  const errors: unknown[] = [];
  other.on('job:error', (e) => errors.push(e));
  other.emit('cancel-job', { jobId: 'not-running' });
  await until(() => errors.length > 0, 10_000, 'job:error');
  assert.deepEqual(errors, [{ jobId: 'not-running', message: 'No connected window runs job not-running' }]);
});

test('a job whose operator disconnects ends interrupted after the grace period, unless it comes back', TIMEOUT, async () => {
  const short = await startTestHub({ graceMs: 300 });
  const extra: Client[] = [];
  try {
    const op = await connect(short.hub.url, { token: OPERATOR, reporter: 'window-1' });
    const viewer = await connect(short.hub.url, { token: VIEWER });
    extra.push(op, viewer);
    const lost = newJob();
    const back = newJob();
    await reportStarted(op, lost);
    await reportStarted(op, back);
    const seen = watch(viewer, lost.id);
    await viewer.timeout(10_000).emitWithAck('join-job', lost.id);
    op.close();
    const again = await connect(short.hub.url, { token: OPERATOR, reporter: 'window-1' });
    extra.push(again);
    await reportChunks(again, back.id, 0, 1);
    await until(() => seen.done.length > 0, 10_000, 'job:done');
    const [end] = seen.done;
    assert.deepEqual([end?.jobId, end?.status, end?.exitCode, end?.signal], [lost.id, 'interrupted', null, null]);
    assert.equal(end!.durationMs, end!.finishedAt - lost.startedAt, 'interrupted after it started, as long as it ran');
    await until(async () => (await short.store.getJob(lost.id))?.status === 'interrupted', 10_000, 'stored as interrupted');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await short.store.getJob(back.id))?.status, 'running');
  } finally {
    for (const c of extra) c.close();
    await short.close();
  }
});
