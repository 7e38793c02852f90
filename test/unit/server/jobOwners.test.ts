// Only the window that started a job reports it. Every client is told each job's id and reporter
// id; a client that does not hold the job's reporter key, whatever reporter id it gives, is refused
// the job's start, output and end, on the hub it was reported to and on one restarted on the same
// store. Windows older than keys report their own jobs as before.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { HUB_PROTOCOL, type JobStartedEvent } from '../../../src/shared/hubProtocol';
import type { JobInfo, JobResult } from '../../../src/shared/jobs';
import { readAll, sqlOf } from '../store/helpers';
import { acrossRestart, accepted, assertReportsRefused, connect, get, lines, newJob, newReporterKey, OPERATOR, sharedTestHub, VIEWER, type Client } from './helpers';

const TIMEOUT = { timeout: 120_000 };
const shared = sharedTestHub();
const client = shared.client;

const ended = (exitCode: number): JobResult => ({ status: exitCode === 0 ? 'success' : 'failed', exitCode, signal: null, durationMs: 10, finishedAt: Date.now() });

async function started(c: Client, job: JobInfo): Promise<void> {
  const answer = await c.timeout(10_000).emitWithAck('report:started', job);
  assert.equal(answer.ok, true, JSON.stringify(answer));
}

async function output(c: Client, jobId: string, from: number, count: number): Promise<void> {
  assert.equal(accepted(await c.timeout(10_000).emitWithAck('report:chunks', { jobId, chunks: lines(from, count) })), count);
}

async function end(c: Client, jobId: string, result: JobResult, storedSeq: number): Promise<void> {
  assert.deepEqual(await c.timeout(10_000).emitWithAck('report:finished', { jobId, result }), { ok: true, storedSeq });
}

test("an operator that is not a job's window is refused its end, its start and its output under any reporter id; the window's output and end are stored whole", TIMEOUT, async () => {
  const window = await client(shared.t.hub.url, { token: OPERATOR, reporter: 'window-1', key: newReporterKey(), protocol: HUB_PROTOCOL });
  const other = await client(shared.t.hub.url, { token: OPERATOR });
  const job = newJob();
  const announced = new Promise<JobStartedEvent>((resolve) => other.on('job:started', (j) => j.id === job.id && resolve(j)));
  await started(window, job);
  // What every client is told: the job's id and its reporter's.
  const { reporter } = await announced;
  assert.equal(reporter, 'window-1');
  await output(window, job.id, 0, 100);
  for (const auth of [{ reporter, key: newReporterKey() }, { reporter }, {}]) await assertReportsRefused(await client(shared.t.hub.url, { token: OPERATOR, ...auth }), job, 100);
  await assertReportsRefused(other, job, 100);
  await output(window, job.id, 100, 100);
  const result = ended(0);
  await end(window, job.id, result, 199);
  // Ended, it keeps the end its window gave it.
  await assertReportsRefused(await client(shared.t.hub.url, { token: OPERATOR, reporter, key: newReporterKey() }), job, 200, /not running here/);
  const stored = await shared.t.store.getJob(job.id);
  assert.deepEqual([stored?.status, stored?.exitCode, stored?.finishedAt, stored?.title], ['success', 0, result.finishedAt, job.title]);
  assert.deepEqual(await readAll(shared.t.store, job.id), lines(0, 200));
});

test('a reporter key is kept only as its hash, and no answer or event carries either', TIMEOUT, async () => {
  const key = newReporterKey();
  const hash = createHash('sha256').update(Buffer.from(key, 'hex')).digest();
  const window = await client(shared.t.hub.url, { token: OPERATOR, reporter: 'window-2', key, protocol: HUB_PROTOCOL });
  const viewer = await client(shared.t.hub.url, { token: VIEWER, protocol: HUB_PROTOCOL });
  const heard: unknown[] = [];
  viewer.onAny((_event: string, ...args: unknown[]) => heard.push(args));
  const job = newJob();
  await started(window, job);
  await output(window, job.id, 0, 3);
  await end(window, job.id, ended(1), 2);
  const texts = [
    JSON.stringify(heard),
    JSON.stringify(await viewer.timeout(10_000).emitWithAck('jobs:get', job.id)),
    JSON.stringify(await viewer.timeout(10_000).emitWithAck('jobs:list', {})),
    JSON.stringify((await get(shared.t.hub.url, '/api/jobs')).body),
    JSON.stringify((await get(shared.t.hub.url, `/api/jobs/${job.id}`)).body),
  ];
  assert.ok(heard.length >= 2, 'job:started and job:done heard');
  for (const text of texts) {
    assert.ok(text.includes(job.id), text);
    for (const secret of [key, hash.toString('hex'), hash.toString('base64')]) assert.ok(!text.includes(secret), text);
    assert.doesNotMatch(text, /"[^"]*(key|owner|sha256)[^"]*":/i);
  }
  const { rows } = await sqlOf(shared.t.store).query<{ owner_key_sha256: Uint8Array }>('SELECT owner_key_sha256 FROM jobs WHERE id = $1', [job.id]);
  assert.deepEqual(Buffer.from(rows[0].owner_key_sha256), hash);
});

test('a handshake with a key that is not a reporter key is refused, and the hub serves on', TIMEOUT, async () => {
  for (const key of ['', 'abc', 'f'.repeat(63), 'F'.repeat(64), 'g'.repeat(64), 42, null, { hex: 'f'.repeat(64) }]) {
    await assert.rejects(connect(shared.t.hub.url, { token: OPERATOR, key }), /Malformed handshake: key: expected a reporter key/, JSON.stringify(key));
  }
  const window = await client(shared.t.hub.url, { token: OPERATOR, key: newReporterKey() });
  await started(window, newJob());
});

// The rule for jobs started without a key (jobOwners.ts mayReport): as before keys for clients
// without one; a client with a key only under the reporter id the job was stored with.
test('windows without a key report their own jobs as before; they are refused the jobs of keyed windows, whose keys take no job of theirs under another reporter id', TIMEOUT, async () => {
  const old = await client(shared.t.hub.url, { token: OPERATOR, reporter: 'old-window' });
  const mine = newJob();
  await started(old, mine);
  await output(old, mine.id, 0, 10);
  await end(old, mine.id, ended(0), 9);
  assert.equal((await shared.t.store.getJob(mine.id))?.status, 'success');

  const keyed = await client(shared.t.hub.url, { token: OPERATOR, reporter: 'new-window', key: newReporterKey() });
  const theirs = newJob();
  await started(keyed, theirs);
  await assertReportsRefused(old, theirs, 0);

  const job = newJob();
  await started(old, job);
  await output(old, job.id, 0, 10);
  await assertReportsRefused(keyed, job, 10);
  // The old window connected again, or any client without a key: as before keys.
  await output(await client(shared.t.hub.url, { token: OPERATOR, reporter: 'old-window' }), job.id, 10, 10);
  await output(await client(shared.t.hub.url, { token: OPERATOR }), job.id, 20, 10);
  // The window updated, replaying its spool with a key under its id: it goes on with its job.
  const updated = await client(shared.t.hub.url, { token: OPERATOR, reporter: 'old-window', key: newReporterKey() });
  await started(updated, job);
  await output(updated, job.id, 30, 10);
  await end(updated, job.id, ended(2), 39);
  const stored = await shared.t.store.getJob(job.id);
  assert.deepEqual([stored?.status, stored?.exitCode], ['failed', 2]);
  assert.deepEqual(await readAll(shared.t.store, job.id), lines(0, 40));
  await end(keyed, theirs.id, ended(0), -1);
});

test('after a restart of the hub, a job is still reported only by the window that started it, which ends it', TIMEOUT, () =>
  acrossRestart(async (first, restart) => {
    const auth = { token: OPERATOR, reporter: 'window-3', key: newReporterKey(), protocol: HUB_PROTOCOL };
    const before = await client(first.hub.url, auth);
    const job = newJob();
    const endedAlone = newJob();
    for (const j of [job, endedAlone]) {
      await started(before, j);
      await output(before, j.id, 0, 50);
    }
    const second = await restart();
    for (const other of [{ reporter: 'window-3', key: newReporterKey() }, { reporter: 'window-3' }]) {
      const intruder = await client(second.hub.url, { token: OPERATOR, ...other });
      for (const j of [job, endedAlone]) await assertReportsRefused(intruder, j, 50, /not running here/);
    }
    const after = await client(second.hub.url, auth);
    await started(after, job);
    await output(after, job.id, 50, 50);
    await end(after, job.id, ended(0), 99);
    // An end alone, as a reporter sends it whose start and output were stored before the restart.
    await end(after, endedAlone.id, ended(3), -1);
    const { store } = second;
    assert.deepEqual([(await store.getJob(job.id))?.status, (await store.getJob(endedAlone.id))?.exitCode], ['success', 3]);
    assert.deepEqual(await readAll(store, job.id), lines(0, 100));
    assert.deepEqual(await readAll(store, endedAlone.id), lines(0, 50));
  }),
);
