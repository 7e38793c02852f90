import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { JobStore, PruneOptions } from '../../../src/core/store/jobStore';
import { PgliteJobStore } from '../../../src/core/store/pgliteJobStore';
import { startRetention } from '../../../src/server/retention';
import type { JobInfo } from '../../../src/shared/jobs';
import { get, lines, newJob, OPERATOR, spawnHub, tempDir, until, VIEWER } from './helpers';

const TIMEOUT = { timeout: 120_000 };
const DAY = 24 * 60 * 60_000;
let store: JobStore;
before(async () => {
  store = await PgliteJobStore.open();
  await store.migrate();
}, TIMEOUT);
after(() => store.close());

/** A job started `daysAgo`, with some output, finished unless `running`. */
async function addJob(into: JobStore, daysAgo: number, running = false): Promise<JobInfo> {
  const job = newJob({ startedAt: Date.now() - daysAgo * DAY });
  await into.jobStarted(job);
  await into.appendChunks(job.id, lines(0, 5));
  if (!running) await into.jobFinished(job.id, { status: 'success', exitCode: 0, signal: null, durationMs: 1, finishedAt: job.startedAt + 1 });
  return job;
}

const exists = async (job: JobInfo): Promise<boolean> => (await store.getJob(job.id)) !== undefined;

test('old finished jobs are deleted at start and on every later run; running and recent ones are kept', TIMEOUT, async () => {
  const old = await addJob(store, 40);
  const oldRunning = await addJob(store, 41, true);
  const recent = await addJob(store, 1);
  const logged: string[] = [];
  const retention = startRetention(store, { maxAgeDays: 30 }, (m) => logged.push(m), 100);
  try {
    await until(async () => !(await exists(old)), 10_000, 'the old job deleted at start');
    assert.deepEqual(await store.readEvents(old.id, 0), []);
    assert.equal(await exists(oldRunning), true);
    assert.equal(await exists(recent), true);
    await until(() => logged.length > 0, 10_000, 'a log line');
    assert.equal(logged[0], 'Retention: deleted 1 finished job(s) older than 30 days');

    // A job that ages past the limit later goes on the next run.
    const later = await addJob(store, 31);
    await until(async () => !(await exists(later)), 10_000, 'the next run');
    assert.equal(await exists(oldRunning), true);
  } finally {
    await retention.stop();
  }
});

test('one prune at a time, however slow; stop() waits for the one under way; a failure is logged and retried', TIMEOUT, async () => {
  let active = 0;
  let most = 0;
  let calls = 0;
  const slow = {
    async prune(options: PruneOptions): Promise<number> {
      calls++;
      active++;
      most = Math.max(most, active);
      await new Promise((r) => setTimeout(r, 150));
      active--;
      if (calls === 2) throw new Error('database away');
      return store.prune(options);
    },
  };
  const logged: string[] = [];
  const retention = startRetention(slow, { maxJobs: 1000 }, (m) => logged.push(m), 10);
  await until(() => calls >= 4, 10_000, 'four runs');
  await retention.stop();
  assert.equal(active, 0, 'stop() returned while a prune was under way');
  assert.equal(most, 1);
  const callsAtStop = calls;
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(calls, callsAtStop, 'no run after stop()');
  assert.ok(logged.some((m) => /^Retention failed; the next run tries again: database away$/.test(m)), logged.join('\n'));

  let asked = 0;
  const none = startRetention({ prune: async () => ++asked }, {}, () => undefined, 10);
  await new Promise((r) => setTimeout(r, 100));
  await none.stop();
  assert.equal(asked, 0, 'no limit set: nothing pruned');
});

test('the hub process applies --retention-days and --retention-jobs at start', TIMEOUT, async () => {
  const temp = tempDir();
  try {
    const dir = path.join(temp.dir, 'db');
    const seeded = await PgliteJobStore.open({ dir });
    await seeded.migrate();
    const old = await addJob(seeded, 10);
    const oldRunning = await addJob(seeded, 11, true);
    const recent = await Promise.all([addJob(seeded, 3), addJob(seeded, 2), addJob(seeded, 1)]);
    await seeded.close();
    const tokenFile = path.join(temp.dir, 'tokens');
    writeFileSync(tokenFile, `viewer ${VIEWER}\noperator ${OPERATOR}\n`, { mode: 0o600 });
    const hub = await spawnHub(['--database', dir, '--token-file', tokenFile, '--retention-days', '7', '--retention-jobs', '2']);
    try {
      const ids = async (): Promise<string[]> => ((await get(hub.url, '/api/jobs')).body.jobs as { id: string }[]).map((j) => j.id);
      await until(async () => (await ids()).length === 3, 20_000, 'retention at start');
      // The age limit deletes the 10-day-old job; the count keeps the newest 2 and deletes the
      // 3-day-old one; the running job counts but is never deleted.
      assert.deepEqual((await ids()).sort(), [oldRunning.id, recent[1].id, recent[2].id].sort());
      assert.ok(!(await ids()).includes(old.id));
      await until(() => /Retention: deleted 2 finished job\(s\) older than 7 days or beyond the newest 2/.test(hub.stderr()), 10_000, 'the log line');
    } finally {
      await hub.stop();
    }
  } finally {
    temp.remove();
  }
});
