import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, test } from 'node:test';
import { Server } from 'socket.io';
import { HubJobs } from '../../../src/core/hub/hubJobs';
import { HubReporter } from '../../../src/core/hub/hubReporter';
import { allChunks } from '../../../src/core/jobs/consoleFeed';
import { InMemoryRecorder } from '../../../src/core/jobs/inMemoryRecorder';
import type { JobStore } from '../../../src/core/store/jobStore';
import { PgliteJobStore } from '../../../src/core/store/pgliteJobStore';
import type { JobInfo } from '../../../src/shared/jobs';
import { lines, newJob, OPERATOR, startTestHub, tempDir, until, VIEWER } from '../server/helpers';

const cleanups: (() => unknown)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

// Another window reports jobs; this one lists them live and replays their output, following a
// running one until it ends.
test('lists the hub jobs live and replays their output, live while they run', { timeout: 60_000 }, async () => {
  const temp = tempDir();
  cleanups.push(temp.remove);
  const { hub, close } = await startTestHub();
  cleanups.push(close);
  const other = new HubReporter({ url: hub.url, token: OPERATOR, reporterId: 'other-window', spoolDir: path.join(temp.dir, 'spool') });
  cleanups.push(() => other.close(1000));

  const done = newJob({ startedAt: Date.now() - 5000 });
  other.started(done);
  other.chunks(done.id, lines(0, 2000));
  other.finished(done.id, { status: 'failed', exitCode: 2, signal: null, durationMs: 4000, finishedAt: Date.now() });
  const running = newJob({ startedAt: Date.now() - 1000 });
  other.started(running);
  other.chunks(running.id, lines(0, 10));
  assert.equal(await other.idle(10_000), true);

  const jobs = new HubJobs({ url: hub.url, token: VIEWER, limit: 10 });
  cleanups.push(() => jobs.close());
  await until(() => jobs.jobs.length === 2, 10_000, 'both jobs listed');
  assert.deepEqual(
    jobs.jobs.map((j) => [j.id, j.status]),
    [
      [running.id, 'running'],
      [done.id, 'failed'],
    ],
  );

  const replays = new InMemoryRecorder();
  cleanups.push(() => replays.dispose());
  // A finished job opens at its end: its last 1000 bytes, and how it ended, as soon as follow() returns.
  await jobs.follow(done.id, replays, 1000);
  assert.equal(replays.get(done.id)?.status, 'failed');
  assert.equal(replays.get(done.id)?.exitCode, 2);
  assert.equal(replays.get(done.id)?.durationMs, 4000);
  const first = replays.firstSeq(done.id);
  assert.ok(first > 1800 && first < 1950, `the tail starts at ${first}`);
  assert.deepEqual([...allChunks(replays, done.id)], lines(first, 2000 - first));
  // Scrolling up reads the rest a page at a time, back to the first chunk.
  const older = [];
  for (let before = first; before > 0; ) {
    const page = await jobs.events({ jobId: done.id, beforeSeq: before, maxBytes: 4096 });
    assert.equal(page[page.length - 1].seq, before - 1);
    older.unshift(...page);
    before = page[0].seq;
  }
  assert.deepEqual(older, lines(0, first));

  // A running job: its tail, then what it writes live, then its end.
  await jobs.follow(running.id, replays, 20);
  assert.equal(replays.firstSeq(running.id), 7);
  assert.equal(replays.nextSeq(running.id), 10);
  other.chunks(running.id, lines(10, 5));
  await until(() => replays.nextSeq(running.id) === 15, 10_000, 'live output followed');
  other.finished(running.id, { status: 'success', exitCode: 0, signal: null, durationMs: 1500, finishedAt: Date.now() });
  await until(() => replays.get(running.id)?.status === 'success', 10_000, 'the end followed');
  assert.deepEqual([...allChunks(replays, running.id)], lines(7, 8));
  await until(() => jobs.get(running.id)?.status === 'success' && jobs.get(running.id)?.durationMs === 1500, 10_000, 'the list updated');

  const later = newJob();
  other.started(later);
  await until(() => jobs.jobs[0]?.id === later.id, 10_000, 'a new job listed first');
});

// A team hub may be older than the window: its jobs:events ignores beforeSeq and answers with
// the head of the job. The window then gets the rest by join-job, as it did before paging back.
test('a hub that does not page back still gives a finished job whole', { timeout: 60_000 }, async () => {
  const temp = tempDir();
  cleanups.push(temp.remove);
  const store = await PgliteJobStore.open({ dir: path.join(temp.dir, 'db') });
  const older: JobStore = Object.assign(Object.create(store) as JobStore, {
    readEventsBefore: (jobId: string) => store.readEvents(jobId, 0, { limit: 1000 }),
  });
  const { hub, close } = await startTestHub({ store: older });
  cleanups.push(close);
  const other = new HubReporter({ url: hub.url, token: OPERATOR, reporterId: 'other-window', spoolDir: path.join(temp.dir, 'spool') });
  cleanups.push(() => other.close(1000));
  const done = newJob();
  other.started(done);
  other.chunks(done.id, lines(0, 3000));
  other.finished(done.id, { status: 'success', exitCode: 0, signal: null, durationMs: 10, finishedAt: Date.now() });
  assert.equal(await other.idle(10_000), true);

  const jobs = new HubJobs({ url: hub.url, token: VIEWER, limit: 10 });
  cleanups.push(() => jobs.close());
  const replays = new InMemoryRecorder();
  cleanups.push(() => replays.dispose());
  await jobs.follow(done.id, replays, 1000);
  await until(() => replays.get(done.id)?.status === 'success', 10_000, 'the job replayed to its end');
  assert.deepEqual([...allChunks(replays, done.id)], lines(0, 3000));
});

// A listing asked on connect may be answered after the hub told of jobs that started and ended
// meanwhile: a window that opened as another replayed its spool showed such a job running for
// good. The hub's side is scripted, so that the answers come after the events, every time.
test('a listing answered after a start and an end were heard does not bring the job back to running', { timeout: 30_000 }, async () => {
  const http = createServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const server = new Server(http);
  cleanups.push(() => server.close());
  const port = (http.address() as AddressInfo).port;
  const heardLive = newJob();
  const endedBeforeListed = newJob();
  const result = { status: 'success', exitCode: 0, signal: null, durationMs: 700, finishedAt: Date.now() } as const;
  const stale = (job: JobInfo) => ({ ...job, status: 'running' as const, command: job.argv.join(' ') });
  server.of('/jobs').on('connection', (socket) => {
    const lists: ((answer: unknown) => void)[] = [];
    socket.on('jobs:list', (_query: unknown, ack: (answer: unknown) => void) => {
      lists.push(ack);
      if (lists.length < 2) return;
      socket.emit('job:started', heardLive);
      socket.emit('job:done', { jobId: heardLive.id, ...result });
      socket.emit('job:done', { jobId: endedBeforeListed.id, ...result, status: 'failed', exitCode: 1 });
      // The answers, read before those events, reach the window after them.
      setTimeout(() => lists.forEach((answer) => answer({ ok: true, jobs: [stale(heardLive), stale(endedBeforeListed)] })), 50);
    });
  });
  const jobs = new HubJobs({ url: `http://127.0.0.1:${port}`, token: VIEWER, limit: 10 });
  cleanups.push(() => jobs.close());
  const told: string[] = [];
  jobs.on('job', (job) => told.push(`${job.id}:${job.status}`));
  await until(() => jobs.jobs.length === 2, 10_000, 'the listing');
  assert.deepEqual(
    [jobs.get(heardLive.id)?.status, jobs.get(endedBeforeListed.id)?.status, jobs.get(endedBeforeListed.id)?.exitCode],
    ['success', 'failed', 1],
  );
  assert.ok(told.includes(`${endedBeforeListed.id}:failed`), `a view was told of the end: ${told.join(', ')}`);
});
