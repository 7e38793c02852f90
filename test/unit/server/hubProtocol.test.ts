// Protocol versions against a real hub process: a window of protocol 1 (no version in its
// handshake, reading no storedSeq, confirming what is stored with jobs:get) works as it did, and
// one of protocol 2 learns what is stored without asking.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { HUB_PROTOCOL, type JobDoneEvent, type JobLogEvent, type JobStartedEvent, type JobStoredEvent, type RunRequest } from '../../../src/shared/hubProtocol';
import type { JobResult } from '../../../src/shared/jobs';
import { connect, lines, newJob, OPERATOR, spawnHub, tempDir, until, VIEWER, type Client, type HubProcess } from './helpers';

const TIMEOUT = { timeout: 180_000 };
const temp = tempDir();
let hub: HubProcess;
const clients: Client[] = [];

before(async () => {
  const tokenFile = path.join(temp.dir, 'tokens');
  writeFileSync(tokenFile, `viewer ${VIEWER}\noperator ${OPERATOR}\n`, { mode: 0o600 });
  hub = await spawnHub(['--port', '0', '--token-file', tokenFile, '--database', path.join(temp.dir, 'db')], 120_000);
}, TIMEOUT);
after(async () => {
  for (const c of clients) c.close();
  await hub?.stop(5000);
  temp.remove();
});

async function client(auth: Record<string, unknown>): Promise<Client> {
  const c = await connect(hub.url, auth);
  clients.push(c);
  return c;
}

/** What the hub sent a client of protocol 1. */
const PROTOCOL_1_EVENTS = ['job:started', 'job:log', 'job:done', 'job:error', 'cancel-job'];

const result: JobResult = { status: 'canceled', exitCode: null, signal: 'SIGTERM', durationMs: 4321, finishedAt: Date.now() };

test('a window of protocol 1 reports, watches and confirms a job as before, and is sent nothing it does not know', TIMEOUT, async () => {
  const op = await client({ token: OPERATOR, reporter: 'old-window' });
  const viewer = await client({ token: VIEWER });
  const unknown: string[] = [];
  op.onAny((event: string) => !PROTOCOL_1_EVENTS.includes(event) && unknown.push(event));
  const job = newJob();
  const logs: JobLogEvent[] = [];
  const done: JobDoneEvent[] = [];
  viewer.on('job:log', (e) => logs.push(e));
  viewer.on('job:done', (e) => done.push(e));

  assert.equal((await op.timeout(10_000).emitWithAck('report:started', job)).ok, true);
  assert.equal((await viewer.timeout(10_000).emitWithAck('join-job', job.id)).ok, true);
  for (let seq = 0; seq < 300; seq += 100) assert.equal((await op.timeout(10_000).emitWithAck('report:chunks', { jobId: job.id, chunks: lines(seq, 100) })).ok, true);
  // How a window of protocol 1 learnt what is stored: it asked.
  await until(async () => {
    const answer = await op.timeout(10_000).emitWithAck('jobs:get', job.id);
    return answer.ok && answer.job.lastSeq === 299;
  }, 20_000, 'jobs:get to show the output stored');
  assert.equal((await op.timeout(10_000).emitWithAck('report:finished', { jobId: job.id, result })).ok, true);

  await until(() => done.length === 1, 10_000, 'job:done');
  assert.deepEqual(
    logs.map((l) => l.seq),
    Array.from({ length: 300 }, (_, i) => i),
  );
  assert.deepEqual([done[0]!.jobId, done[0]!.status, done[0]!.exitCode], [job.id, 'canceled', null], 'the fields protocol 1 reads');
  const stored = await op.timeout(10_000).emitWithAck('jobs:get', job.id);
  assert.ok(stored.ok);
  assert.deepEqual([stored.job.status, stored.job.lastSeq], ['canceled', 299]);
  assert.deepEqual(unknown, [], 'no event of protocol 2 reaches a window of protocol 1');
});

test('protocol 2: job:started says its reporter, job:done carries the whole result, and the reporter is told what is stored while its job runs', TIMEOUT, async () => {
  const op = await client({ token: OPERATOR, reporter: 'new-window', protocol: HUB_PROTOCOL });
  const viewer = await client({ token: VIEWER, protocol: HUB_PROTOCOL });
  const stored: JobStoredEvent[] = [];
  const started: JobStartedEvent[] = [];
  const done: JobDoneEvent[] = [];
  op.on('report:stored', (e) => stored.push(e));
  viewer.on('job:started', (e) => started.push(e));
  viewer.on('job:done', (e) => done.push(e));
  const job = newJob();

  assert.deepEqual(await op.timeout(10_000).emitWithAck('report:started', job), { ok: true, storedSeq: -1 });
  await until(() => started.length === 1, 10_000, 'job:started');
  assert.deepEqual(started[0], { ...job, reporter: 'new-window' });
  const answer = await op.timeout(10_000).emitWithAck('report:chunks', { jobId: job.id, chunks: lines(0, 100) });
  assert.ok(answer.ok && answer.accepted === 100 && answer.storedSeq >= -1 && answer.storedSeq <= 99, JSON.stringify(answer));
  // Nothing more is reported: the hub says so once it has stored the output.
  await until(() => stored.some((e) => e.jobId === job.id && e.storedSeq === 99), 20_000, 'report:stored up to seq 99');

  assert.deepEqual(await op.timeout(10_000).emitWithAck('report:finished', { jobId: job.id, result }), { ok: true, storedSeq: 99 });
  await until(() => done.some((e) => e.jobId === job.id), 10_000, 'job:done');
  assert.deepEqual(
    done.find((e) => e.jobId === job.id),
    { jobId: job.id, ...result },
  );
  // A viewer that joins later is told the same end, as stored.
  const late = await client({ token: VIEWER, protocol: HUB_PROTOCOL });
  const lateDone: JobDoneEvent[] = [];
  late.on('job:done', (e) => lateDone.push(e));
  assert.equal((await late.timeout(10_000).emitWithAck('join-job', { jobId: job.id, fromSeq: 0 })).ok, true);
  await until(() => lateDone.length === 1, 10_000, 'job:done after the replay');
  assert.deepEqual(lateDone[0], { jobId: job.id, ...result });
});

test('a job that waits for its VM: announced and stored queued, then announced again running when it begins; a repeated start is not announced twice', TIMEOUT, async () => {
  const op = await client({ token: OPERATOR, reporter: 'queue-window', protocol: HUB_PROTOCOL });
  const viewer = await client({ token: VIEWER, protocol: HUB_PROTOCOL });
  const started: JobStartedEvent[] = [];
  viewer.on('job:started', (e) => started.push(e));
  const job = newJob({ vm: 'lab/a', status: 'queued' });

  assert.equal((await op.timeout(10_000).emitWithAck('report:started', job)).ok, true);
  await until(() => started.length === 1, 10_000, 'job:started queued');
  assert.equal(started[0].status, 'queued');
  const queued = await viewer.timeout(10_000).emitWithAck('jobs:list', { status: 'queued' });
  assert.ok(queued.ok && queued.jobs.some((j: { id: string }) => j.id === job.id), JSON.stringify(queued));

  const began = job.startedAt + 3000;
  assert.equal((await op.timeout(10_000).emitWithAck('report:started', { ...job, status: 'running', startedAt: began })).ok, true);
  assert.equal((await op.timeout(10_000).emitWithAck('report:started', { ...job, status: 'running', startedAt: began })).ok, true);
  await until(() => started.length === 2, 10_000, 'job:started running');
  assert.deepEqual([started[1].status, started[1].startedAt], ['running', began]);
  assert.equal((await op.timeout(10_000).emitWithAck('report:chunks', { jobId: job.id, chunks: lines(0, 3) })).ok, true);
  assert.equal((await op.timeout(10_000).emitWithAck('report:finished', { jobId: job.id, result: { ...result, status: 'success', exitCode: 0, signal: null } })).ok, true);
  const got = await viewer.timeout(10_000).emitWithAck('jobs:get', job.id);
  assert.ok(got.ok);
  assert.deepEqual([got.job.status, got.job.startedAt, got.job.lastSeq], ['success', began, 2]);
  assert.equal(started.length, 2, 'the repeated start was not announced');
});

test('jobs:run: an operator\'s request goes to a window of protocol 3 whose catalog has the project, which answers; refusals come back with every reason; a viewer cannot ask', TIMEOUT, async () => {
  const asked: unknown[] = [];
  const refusing = await client({ token: OPERATOR, reporter: 'window-off', protocol: HUB_PROTOCOL });
  refusing.on('run-job', (request, reply) => {
    asked.push(['off', request]);
    reply({ ok: false, error: 'laptop: this window does not take runs from the hub' });
  });
  const old = await client({ token: OPERATOR, reporter: 'window-v2', protocol: 2 });
  old.on('run-job', (_request, reply) => reply({ ok: true, jobId: 'never' }));
  const catalog = { projects: [{ alias: 'shop', dir: '/src/shop' }], vms: [{ environment: 'lab', name: 'a', host: '10.0.0.1', user: 'u' }] };
  for (const c of [refusing, old]) assert.equal((await c.timeout(10_000).emitWithAck('report:catalog', catalog)).ok, true);

  const operator = await client({ token: OPERATOR, protocol: HUB_PROTOCOL });
  const request = { alias: 'shop', target: 'deploy', args: ['ENV=lab'], vm: 'lab/a' };
  assert.deepEqual(await operator.timeout(30_000).emitWithAck('jobs:run', request), { ok: false, error: 'laptop: this window does not take runs from the hub' });
  assert.deepEqual(asked, [['off', request]], 'only the window of protocol 3 was asked');

  const accepting = await client({ token: OPERATOR, reporter: 'window-on', protocol: HUB_PROTOCOL });
  accepting.on('run-job', (_request, reply) => reply({ ok: true, jobId: '6a1d1a0e-0000-4000-8000-000000000001' }));
  assert.equal((await accepting.timeout(10_000).emitWithAck('report:catalog', catalog)).ok, true);
  assert.deepEqual(await operator.timeout(30_000).emitWithAck('jobs:run', request), { ok: true, jobId: '6a1d1a0e-0000-4000-8000-000000000001' });

  const none = await operator.timeout(10_000).emitWithAck('jobs:run', { ...request, vm: 'lab/unknown' });
  assert.deepEqual(none, { ok: false, error: 'No window connected to this hub has the project shop and the VM lab/unknown' });
  const bad = await operator.timeout(10_000).emitWithAck('jobs:run', { alias: 'shop' } as unknown as RunRequest);
  assert.equal(bad.ok, false);
  const viewer = await client({ token: VIEWER, protocol: HUB_PROTOCOL });
  const refused = await viewer.timeout(10_000).emitWithAck('jobs:run', request);
  assert.deepEqual(refused, { ok: false, error: 'jobs:run needs an operator token' });
});

test('jobs:run: a window that takes the run but answers without a valid job id is refused as the answer, and no other window is asked', TIMEOUT, async () => {
  const catalog = { projects: [{ alias: 'bakery', dir: '/src/bakery' }], vms: [] };
  const broken = await client({ token: OPERATOR, reporter: 'window-broken', protocol: HUB_PROTOCOL });
  broken.on('run-job', (_request, reply) => reply({ ok: true, jobId: 'x'.repeat(100_000) }));
  let askedNext = 0;
  const next = await client({ token: OPERATOR, reporter: 'window-next', protocol: HUB_PROTOCOL });
  next.on('run-job', (_request, reply) => {
    askedNext++;
    reply({ ok: true, jobId: '6a1d1a0e-0000-4000-8000-000000000002' });
  });
  for (const c of [broken, next]) assert.equal((await c.timeout(10_000).emitWithAck('report:catalog', catalog)).ok, true);
  const operator = await client({ token: OPERATOR, protocol: HUB_PROTOCOL });
  const answer = await operator.timeout(30_000).emitWithAck('jobs:run', { alias: 'bakery', target: 'bake' });
  assert.deepEqual(answer, { ok: false, error: 'A window took the run but answered without a valid job id (jobId: expected a UUID)' });
  assert.equal(askedNext, 0);
});
