import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { claimSpoolFolder, replayOrphanSpools } from '../../../src/core/hub/orphanSpools';
import { HubReporter } from '../../../src/core/hub/hubReporter';
import { newReporterKey, REPORTER_KEY_FILE } from '../../../src/core/hub/reporterKey';
import { connect, lines, newJob, OPERATOR, startTestHub, tempDir, until } from '../server/helpers';
import { deadWindowSpool } from './deadWindow';

const cleanups: (() => void | Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** A pid that no process has any more. */
function deadPid(): number {
  const child = spawnSync('sh', ['-c', 'echo $$']);
  return Number(String(child.stdout).trim());
}

// A window spooled a job while the hub was away, then died; the next window finds its folder
// (lock held by a dead pid), sends the job — ended as interrupted — and removes the folder.
// The folder of a window that still lives is left alone.
test('the spools of a dead window reach the hub; a live window keeps its own', { timeout: 60_000 }, async () => {
  const temp = tempDir();
  cleanups.push(temp.remove);
  const root = path.join(temp.dir, 'spool');

  const job = newJob();
  const dead = await deadWindowSpool(root, 'window-dead', job, lines(0, 500));
  writeFileSync(`${dead.dir}.lock`, `${deadPid()}\n`);

  const live = claimSpoolFolder(root, 'window-live');
  cleanups.push(() => live.lock.release());

  const { hub, store, close } = await startTestHub();
  cleanups.push(close);
  const replay = await replayOrphanSpools(root, { url: hub.url, token: OPERATOR }, 20_000);

  assert.deepEqual(replay, { jobs: [job.id], leftOver: [] });
  const stored = await store.getJob(job.id);
  assert.equal(stored?.status, 'interrupted');
  assert.deepEqual(await store.readEvents(job.id, 0, { limit: 1000 }), lines(0, 500));
  assert.equal(existsSync(dead.dir), false, 'the dead window folder is removed');
  assert.equal(existsSync(`${dead.dir}.lock`), false, 'and its lock');
  assert.equal(existsSync(live.dir), true, 'the live window keeps its folder');
});

// A window of a version without reporter keys reported a job's start and some output, then died
// with the rest spooled in a folder without a key. The window that replays the folder keys it,
// and goes on under the folder's name, the reporter id the job was stored with (jobOwners.ts).
test('the spools of a dead window older than reporter keys still reach the hub, which stored its job without a key', { timeout: 60_000 }, async () => {
  const temp = tempDir();
  cleanups.push(temp.remove);
  const root = path.join(temp.dir, 'spool');
  const { hub, store, close } = await startTestHub();
  cleanups.push(close);
  const job = newJob();
  const old = await connect(hub.url, { token: OPERATOR, reporter: 'window-old' });
  cleanups.push(() => void old.close());
  assert.equal((await old.timeout(10_000).emitWithAck('report:started', job)).ok, true);
  assert.equal((await old.timeout(10_000).emitWithAck('report:chunks', { jobId: job.id, chunks: lines(0, 100) })).ok, true);
  const dead = await deadWindowSpool(root, 'window-old', job, lines(100, 100));
  rmSync(path.join(dead.dir, REPORTER_KEY_FILE));

  assert.deepEqual(await replayOrphanSpools(root, { url: hub.url, token: OPERATOR }, 20_000), { jobs: [job.id], leftOver: [] });
  assert.equal((await store.getJob(job.id))?.status, 'interrupted');
  assert.deepEqual(await store.readEvents(job.id, 0, { limit: 1000 }), lines(0, 200));
  assert.equal(existsSync(dead.dir), false, 'the dead window folder is removed');
});

test('with the hub away, a dead window folder is kept for a later try', { timeout: 30_000 }, async () => {
  const temp = tempDir();
  cleanups.push(temp.remove);
  const root = path.join(temp.dir, 'spool');
  const job = newJob();
  const dead = await deadWindowSpool(root, 'window-dead', job);

  const replay = await replayOrphanSpools(root, { url: 'http://127.0.0.1:9', token: OPERATOR }, 300);
  assert.deepEqual(replay, { jobs: [job.id], leftOver: [dead.dir] });
  assert.equal(existsSync(path.join(dead.dir, `${job.id}.jsonl`)), true);
  assert.equal(existsSync(`${dead.dir}.lock`), false, 'the lock is let go');
});

// A window's reporter is replaced while a job runs (a change of a hub setting, a fault of its
// thread): the new one gets a folder of its own and is handed the job whole, and the earlier
// folder, which still holds the job's spool without an end, stays claimed until the window ends
// (registerHub.ts). Replayed then, after the job ended, its "interrupted" does not undo the end.
test('a reporter replaced while a job runs: the job goes on to its real end, and the earlier folder replayed later does not undo it', { timeout: 60_000 }, async () => {
  const temp = tempDir();
  cleanups.push(temp.remove);
  const root = path.join(temp.dir, 'spool');
  const { hub, store, close } = await startTestHub();
  cleanups.push(close);
  const key = newReporterKey();
  const job = newJob();

  const earlier = claimSpoolFolder(root, 'reporter-1');
  const first = new HubReporter({ url: hub.url, token: OPERATOR, reporterId: 'window', spoolDir: earlier.dir, key });
  await until(() => first.connected, 10_000, 'the first reporter to connect');
  first.started(job);
  first.chunks(job.id, lines(0, 5));
  assert.equal(await first.idle(10_000), true);
  await first.close(1000);

  const next = claimSpoolFolder(root, 'reporter-2');
  cleanups.push(() => next.lock.release());
  const second = new HubReporter({ url: hub.url, token: OPERATOR, reporterId: 'window', spoolDir: next.dir, key });
  cleanups.push(() => second.close(100));
  await until(() => second.connected, 10_000, 'the second reporter to connect');
  second.started(job);
  second.chunks(job.id, lines(0, 10));
  // The window lives: its earlier folder is still claimed, and no replay takes it.
  assert.deepEqual(await replayOrphanSpools(root, { url: hub.url, token: OPERATOR }, 10_000), { jobs: [], leftOver: [] });
  const result = { status: 'success' as const, exitCode: 0, signal: null, durationMs: 5, finishedAt: Date.now() };
  second.finished(job.id, result);
  assert.equal(await second.idle(10_000), true);
  assert.equal((await store.getJob(job.id))?.status, 'success');

  // The window ended: the next one replays the earlier folder, whose spool has no end.
  earlier.lock.release();
  assert.deepEqual(await replayOrphanSpools(root, { url: hub.url, token: OPERATOR }, 10_000), { jobs: [job.id], leftOver: [] });
  const stored = await store.getJob(job.id);
  assert.equal(stored?.status, 'success', 'the real end stands');
  assert.equal(stored?.lastSeq, 9);
  assert.deepEqual(await store.readEvents(job.id, 0, { limit: 1000 }), lines(0, 10));
});
