import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import type { HubReporterOptions } from '../../../src/core/hub/hubReporter';
import { claimSpoolFolder } from '../../../src/core/hub/orphanSpools';
import { ReporterThread } from '../../../src/core/hub/reporterThread';
import { forwardJobs, type Forwarding } from '../../../src/core/jobs/forwardJobs';
import { InMemoryRecorder } from '../../../src/core/jobs/inMemoryRecorder';
import type { Chunk } from '../../../src/shared/jobs';
import { tsxThreadScript } from '../../harness/tsxThread';
import { connect, get, lines, newJob, newReporterKey, OPERATOR, startTestHub, tempDir, until, type Client, type TestHub } from '../server/helpers';
import { deadWindowSpool } from './deadWindow';

const TIMEOUT = { timeout: 120_000 };
const temp = tempDir();
const script = tsxThreadScript(temp.dir, path.resolve(__dirname, '../../../src/core/hub/reporterWorker.ts'));
const hubs: TestHub[] = [];
const clients: Client[] = [];
const threads: ReporterThread[] = [];

after(async () => {
  for (const c of clients) c.close();
  await Promise.all(threads.map((t) => t.close(100)));
  await Promise.all(hubs.map((h) => h.close()));
  temp.remove();
});

function thread(url: string, more: Partial<HubReporterOptions> = {}, onLost?: (err: Error) => void, file = script): ReporterThread {
  const t = new ReporterThread(file, { url, token: OPERATOR, reporterId: `thread-${threads.length}`, spoolDir: path.join(temp.dir, `spool-${threads.length}`), ackTimeoutMs: 5000, ...more }, onLost);
  threads.push(t);
  return t;
}

async function hub(): Promise<TestHub> {
  const t = await startTestHub();
  hubs.push(t);
  return t;
}

async function storedChunks(url: string, jobId: string): Promise<Chunk[]> {
  const { status, body } = await get(url, `/api/jobs/${jobId}/events?fromSeq=0&limit=10000`);
  assert.equal(status, 200, JSON.stringify(body));
  return body.chunks as Chunk[];
}

test("a job reported through the reporter's thread is stored whole and in order, its events handed over a turn at a time", TIMEOUT, async () => {
  const t = await hub();
  const seen: boolean[] = [];
  const r = thread(t.hub.url, { onConnected: (connected) => seen.push(connected) });
  await until(() => r.connected, 10_000, 'the reporter to connect');
  assert.deepEqual(seen, [true]);
  const job = newJob();
  r.started(job);
  // Calls of one chunk and of many, in the same turns and across them.
  for (let seq = 0; seq < 3000; seq += 30) {
    r.chunks(job.id, lines(seq, 10));
    for (let n = seq + 10; n < seq + 30; n++) r.chunks(job.id, lines(n, 1));
    if (seq % 300 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  r.chunks(job.id, []);
  // Then 2.4 MB in one turn, which goes over in several messages.
  const large = Array.from({ length: 300 }, (_, i) => ({ seq: 3000 + i, ts: Date.now(), stream: 'stdout' as const, text: `${i} `.padEnd(8000, 'x') + '\n' }));
  for (const chunk of large) r.chunks(job.id, [chunk]);
  r.finished(job.id, { status: 'success', exitCode: 0, signal: null, durationMs: 10, finishedAt: Date.now() });
  assert.equal(await r.idle(30_000), true);
  const chunks = await storedChunks(t.hub.url, job.id);
  assert.deepEqual(
    chunks.map((c) => [c.seq, c.text]),
    [...lines(0, 3000), ...large].map((c) => [c.seq, c.text]),
  );
  const { body } = await get(t.hub.url, `/api/jobs/${job.id}`);
  assert.equal((body.job as { status: string }).status, 'success');
  await r.close(1000);
  assert.equal(r.connected, false);
  assert.equal(await r.idle(1000), false, 'a closed thread answers at once');
});

test("the hub's cancel and run requests are answered by the host thread, refusals and throws included", TIMEOUT, async () => {
  const t = await hub();
  const canceled: string[] = [];
  const r = thread(t.hub.url, {
    onCancel: (jobId) => {
      canceled.push(jobId);
      if (canceled.length === 3) throw new Error('the job is past canceling');
      return canceled.length === 1;
    },
    onRun: async (request) => ({ ok: true, jobId: `6a1d1a0e-0000-4000-8000-00000000000${request.args?.length ?? 0}` }),
  });
  await until(() => r.connected, 10_000, 'the reporter to connect');
  const job = newJob();
  r.started(job);
  r.catalog({ projects: [{ alias: 'shop', dir: '/src/shop' }], vms: [] });
  assert.equal(await r.idle(10_000), true);
  const operator = await connect(t.hub.url, { token: OPERATOR });
  clients.push(operator);
  assert.deepEqual(await operator.timeout(10_000).emitWithAck('cancel-job', { jobId: job.id }), { ok: true });
  // The hub words every refusal of a window alike; a throw is answered as promptly as a false.
  const refusal = { ok: false, error: `The window that runs job ${job.id} did not cancel it` };
  assert.deepEqual(await operator.timeout(10_000).emitWithAck('cancel-job', { jobId: job.id }), refusal);
  assert.deepEqual(await operator.timeout(10_000).emitWithAck('cancel-job', { jobId: job.id }), refusal);
  assert.deepEqual(canceled, [job.id, job.id, job.id]);
  await until(async () => (await operator.timeout(10_000).emitWithAck('jobs:run', { alias: 'shop', target: 'deploy', args: ['A=1'] })).ok === true, 10_000, 'the catalog to reach the hub');
  assert.deepEqual(await operator.timeout(10_000).emitWithAck('jobs:run', { alias: 'shop', target: 'deploy', args: ['A=1', 'B=2'] }), { ok: true, jobId: '6a1d1a0e-0000-4000-8000-000000000002' });
});

test("a reporter's thread that dies is told once; what is asked of it afterwards answers at once", TIMEOUT, async () => {
  const t = await hub();
  const crashing = path.join(temp.dir, 'crashing.cjs');
  writeFileSync(crashing, `require(${JSON.stringify(script)});\nsetTimeout(() => { throw new Error('the reporter failed'); }, 500);\n`);
  const lost: Error[] = [];
  const logged: string[] = [];
  const r = thread(t.hub.url, { log: (m) => logged.push(m) }, (err) => lost.push(err), crashing);
  await until(() => r.connected, 10_000, 'the reporter to connect');
  await until(() => lost.length > 0, 10_000, 'the loss to be told');
  assert.match(lost[0].message, /The hub reporter's thread stopped \(exit code 1\)/);
  assert.ok(logged.some((m) => m.includes('the reporter failed')), logged.join('\n'));
  assert.equal(r.connected, false);
  r.chunks('any', lines(0, 1));
  assert.equal(await r.idle(10_000), false);
  await r.close(10_000);
  assert.equal(lost.length, 1);
});

// What registerHub does when its reporter's thread is lost: a new thread (with a spool folder of
// its own, and the window's key), handed every job the window holds by forwardJobs, as the
// window's jobs go on printing.
test("a job goes on through a new reporter's thread when the first dies under it, and the hub stores it whole", TIMEOUT, async () => {
  const t = await hub();
  const trigger = path.join(temp.dir, 'die-now');
  const dying = path.join(temp.dir, 'dying.cjs');
  // Once `trigger` exists, the thread dies at the next message, before it handles the events in it.
  writeFileSync(
    dying,
    `require('node:worker_threads').parentPort.on('message', () => { if (require('node:fs').existsSync(${JSON.stringify(trigger)})) throw new Error('the reporter failed'); });\nrequire(${JSON.stringify(script)});\n`,
  );
  const recorder = new InMemoryRecorder();
  let forwarding: Forwarding | undefined;
  const lost: Error[] = [];
  const take = (reporter: ReporterThread): void => {
    forwarding?.stop();
    forwarding = forwardJobs(recorder, reporter);
  };
  const key = newReporterKey();
  const first = thread(t.hub.url, { key }, (err) => {
    lost.push(err);
    take(thread(t.hub.url, { key }));
  }, dying);
  take(first);
  await until(() => first.connected, 10_000, 'the first reporter to connect');
  const job = newJob();
  recorder.started(job);
  const print = async (from: number, to: number): Promise<void> => {
    for (let seq = from; seq < to; seq += 50) {
      recorder.chunks(job.id, lines(seq, 50));
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  await print(0, 2000);
  assert.equal(await first.idle(10_000), true);
  writeFileSync(trigger, '');
  // What the job prints now dies with the thread: the next one is handed it from the window's recorder.
  await print(2000, 4000);
  await until(() => lost.length > 0, 10_000, 'the loss to be told');
  await print(4000, 6000);
  const second = threads[threads.length - 1];
  await until(() => second.connected, 10_000, 'the second reporter to connect');
  recorder.finished(job.id, { status: 'success', exitCode: 0, signal: null, durationMs: 10, finishedAt: Date.now() });
  await forwarding!.caughtUp;
  assert.equal(await second.idle(30_000), true);
  assert.equal(lost.length, 1);
  assert.deepEqual(
    (await storedChunks(t.hub.url, job.id)).map((c) => [c.seq, c.text]),
    lines(0, 6000).map((c) => [c.seq, c.text]),
  );
  const { body } = await get(t.hub.url, `/api/jobs/${job.id}`);
  assert.equal((body.job as { status: string }).status, 'success');
});

test("the spools of dead windows are replayed on the reporter's thread, to the hub it was pointed at last; its own folder stays", TIMEOUT, async () => {
  const root = path.join(temp.dir, 'windows');
  const job = newJob();
  const dead = await deadWindowSpool(root, 'window-dead', job, lines(0, 300));

  const own = claimSpoolFolder(root, 'window-own');
  const t = await hub();
  const r = thread('http://127.0.0.1:9', { spoolDir: own.dir });
  r.retarget(t.hub.url, OPERATOR);
  assert.deepEqual(await r.replayOrphans(root, 20_000), { jobs: [job.id], leftOver: [] });
  assert.equal((await t.store.getJob(job.id))?.status, 'interrupted');
  assert.deepEqual(await t.store.readEvents(job.id, 0, { limit: 1000 }), lines(0, 300));
  assert.equal(existsSync(dead.dir), false, 'the dead window folder is removed');
  assert.equal(existsSync(own.dir), true, 'the own folder is left alone');
  await r.close(1000);
  own.lock.release();
});
