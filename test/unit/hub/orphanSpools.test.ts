import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { claimSpoolFolder, replayOrphanSpools } from '../../../src/core/hub/orphanSpools';
import { REPORTER_KEY_FILE } from '../../../src/core/hub/reporterKey';
import { connect, lines, newJob, OPERATOR, startTestHub, tempDir } from '../server/helpers';
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
