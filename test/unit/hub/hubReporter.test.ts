import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { HubReporter } from '../../../src/core/hub/hubReporter';
import type { Chunk, JobResult } from '../../../src/shared/jobs';
import { NO_POSTGRES, postgresAvailable, startTestPostgres } from '../../harness/postgres';
import { assertReportsRefused, connect, get, lines, newJob, newReporterKey, OPERATOR, spawnHub, startTestHub, tempDir, until, VIEWER, type Client, type HubProcess, type TestHub } from '../server/helpers';

const TIMEOUT = { timeout: 180_000 };
const skipServer = !postgresAvailable() ? NO_POSTGRES : process.env.VMO_TEST_DATABASE_URL ? 'VMO_TEST_DATABASE_URL is a server these tests may not stop' : undefined;
const hubs: HubProcess[] = [];
const testHubs: TestHub[] = [];
const reporters: HubReporter[] = [];
const clients: Client[] = [];
const cleanups: (() => void)[] = [];

// Everything started here is stopped at the end, also when a test failed.
after(async () => {
  for (const c of clients) c.close();
  await Promise.all(reporters.map((r) => r.close(100)));
  await Promise.all(hubs.map((h) => h.stop(5000)));
  await Promise.all(testHubs.map((h) => h.close()));
  for (const c of cleanups) c();
});

const success = (): JobResult => ({ status: 'success', exitCode: 0, signal: null, durationMs: 1234, finishedAt: Date.now() });

function folder(): string {
  const temp = tempDir();
  cleanups.push(temp.remove);
  return temp.dir;
}

/** A real hub process on PGlite in `dir`, with the tests' tokens. */
async function hubProcess(dir: string, port = 0, extra: string[] = []): Promise<HubProcess> {
  const tokenFile = path.join(dir, 'tokens');
  if (!existsSync(tokenFile)) writeFileSync(tokenFile, `viewer ${VIEWER}\noperator ${OPERATOR}\n`, { mode: 0o600 });
  const hub = await spawnHub(['--port', String(port), '--token-file', tokenFile, '--database', path.join(dir, 'db'), ...extra]);
  hubs.push(hub);
  return hub;
}

function reporter(url: string, spoolDir: string, more: Partial<ConstructorParameters<typeof HubReporter>[0]> = {}): HubReporter {
  const r = new HubReporter({ url, token: OPERATOR, reporterId: `window-${reporters.length}`, spoolDir, ackTimeoutMs: 5000, log: process.env.HUB_TEST_LOG ? (m) => process.stderr.write(`[reporter] ${m}\n`) : undefined, ...more });
  reporters.push(r);
  return r;
}

/** Every stored chunk of a job, through the HTTP API. */
async function storedChunks(url: string, jobId: string): Promise<Chunk[]> {
  const all: Chunk[] = [];
  for (;;) {
    const { status, body } = await get(url, `/api/jobs/${jobId}/events?fromSeq=${all.length === 0 ? 0 : all[all.length - 1].seq + 1}&limit=10000`);
    assert.equal(status, 200, JSON.stringify(body));
    const page = body.chunks as Chunk[];
    if (page.length === 0) return all;
    all.push(...page);
  }
}

async function storedStatus(url: string, jobId: string): Promise<string | undefined> {
  const { status, body } = await get(url, `/api/jobs/${jobId}`);
  return status === 200 ? (body.job as { status: string }).status : undefined;
}

/** Reports chunks [from, from + count) in calls of 10, letting the reporter send in between. */
async function report(r: HubReporter, jobId: string, from: number, count: number): Promise<void> {
  for (let seq = from; seq < from + count; seq += 10) {
    r.chunks(jobId, lines(seq, Math.min(10, from + count - seq)));
    if ((seq - from) % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
}

function assertInOrder(chunks: Chunk[], count: number): void {
  assert.equal(chunks.length, count);
  chunks.forEach((c, i) => {
    assert.equal(c.seq, i);
    assert.equal(c.text, `line ${i}\n`);
  });
}

/** The spool files of a folder, its reporter key aside. */
const spools = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.jsonl')) : []);

test('a job of 5000 chunks is stored whole and in order; no spool is left', TIMEOUT, async () => {
  const dir = folder();
  const hub = await hubProcess(dir);
  const spoolDir = path.join(dir, 'spool');
  const r = reporter(hub.url, spoolDir);
  await until(() => r.connected, 10_000, 'the reporter to connect');
  const job = newJob();
  r.started(job);
  await report(r, job.id, 0, 5000);
  r.finished(job.id, success());
  assert.equal(await r.idle(60_000), true);
  assertInOrder(await storedChunks(hub.url, job.id), 5000);
  assert.equal(await storedStatus(hub.url, job.id), 'success');
  await until(() => r.pendingJobs.length === 0, 10_000, 'the job to be confirmed');
  assert.deepEqual(spools(spoolDir), []);
});

test('the hub killed mid-job: output is spooled, and after a restart on the same port every chunk is stored once, in order', TIMEOUT, async () => {
  const dir = folder();
  let hub = await hubProcess(dir);
  const port = Number(new URL(hub.url).port);
  const spoolDir = path.join(dir, 'spool');
  const r = reporter(hub.url, spoolDir);
  await until(() => r.connected, 10_000, 'the reporter to connect');
  const job = newJob();
  r.started(job);
  await report(r, job.id, 0, 2000);
  await until(async () => ((await get(hub.url, `/api/jobs/${job.id}/events?limit=1`)).body.chunks as Chunk[] | undefined)?.length === 1, 20_000, 'some output to be stored');
  hub.child.kill('SIGKILL');
  await hub.exited;
  await report(r, job.id, 2000, 2000);
  await until(() => !r.connected, 10_000, 'the reporter to notice');
  await report(r, job.id, 4000, 500);
  const spool = path.join(spoolDir, `${job.id}.jsonl`);
  assert.ok(existsSync(spool), 'a spool file while the hub is away');
  assert.equal(statSync(spool).mode & 0o777, 0o600);

  hub = await hubProcess(dir, port);
  await until(() => r.connected, 20_000, 'the reporter to reconnect');
  await report(r, job.id, 4500, 500);
  r.finished(job.id, success());
  await until(async () => (await storedStatus(hub.url, job.id)) === 'success', 30_000, 'the job to be stored');
  assertInOrder(await storedChunks(hub.url, job.id), 5000);
  await until(() => spools(spoolDir).length === 0, 10_000, 'the spool to be deleted');
});

test('the hub killed with several reports in flight: after a restart every chunk is stored once, in order', TIMEOUT, async () => {
  const dir = folder();
  let hub = await hubProcess(dir);
  const port = Number(new URL(hub.url).port);
  const r = reporter(hub.url, path.join(dir, 'spool'), { window: 4 });
  await until(() => r.connected, 10_000, 'the reporter to connect');
  const job = newJob();
  r.started(job);
  await report(r, job.id, 0, 1000);
  // A hub that stopped answering: what the reporter sends waits unanswered, up to its window.
  hub.child.kill('SIGSTOP');
  await report(r, job.id, 1000, 1000);
  await until(() => r.stats.inFlight === 4, 10_000, 'four reports in flight');
  hub.child.kill('SIGKILL');
  await hub.exited;
  await report(r, job.id, 2000, 500);

  hub = await hubProcess(dir, port);
  await until(() => r.connected, 20_000, 'the reporter to reconnect');
  await report(r, job.id, 2500, 500);
  r.finished(job.id, success());
  assert.equal(await r.idle(60_000), true);
  assertInOrder(await storedChunks(hub.url, job.id), 3000);
  assert.equal(await storedStatus(hub.url, job.id), 'success');
});

// A window restarted (a new HubReporter on its spool folder, under another id) holds the key its
// job was started with, kept in that folder: it sends the job's spooled output and end, which a
// restarted hub takes from it and refuses from any other operator, whatever reporter id it gives.
test('a window started again on its spool folder, after a restart of the hub, sends its job whole; other operators are refused its end, its start and its output', TIMEOUT, async () => {
  const dir = folder();
  let hub = await hubProcess(dir);
  const port = Number(new URL(hub.url).port);
  const spoolDir = path.join(dir, 'spool');
  const before = reporter(hub.url, spoolDir, { reporterId: 'window-before' });
  await until(() => before.connected, 10_000, 'the reporter to connect');
  const job = newJob();
  before.started(job);
  await report(before, job.id, 0, 500);
  assert.equal(await before.idle(10_000), true);
  const keyFile = path.join(spoolDir, 'reporter.key');
  assert.match(readFileSync(keyFile, 'utf8'), /^[0-9a-f]{64}\n$/);
  assert.equal(statSync(keyFile).mode & 0o777, 0o600);
  const intruders = async (url: string): Promise<Client[]> => {
    const each = [await connect(url, { token: OPERATOR, reporter: 'window-before' }), await connect(url, { token: OPERATOR, reporter: 'window-before', key: newReporterKey() })];
    clients.push(...each);
    return each;
  };
  for (const intruder of await intruders(hub.url)) await assertReportsRefused(intruder, job, 500);

  hub.child.kill('SIGKILL');
  await hub.exited;
  await until(() => !before.connected, 10_000, 'the reporter to notice');
  await report(before, job.id, 500, 500);
  await before.close(0);
  hub = await hubProcess(dir, port);
  for (const intruder of await intruders(hub.url)) await assertReportsRefused(intruder, job, 500, /not running here/);
  const after = reporter(hub.url, spoolDir, { reporterId: 'window-after' });
  assert.deepEqual(after.replaySpools(), [job.id]);
  assert.equal(await after.idle(30_000), true);
  assertInOrder(await storedChunks(hub.url, job.id), 1000);
  assert.equal(await storedStatus(hub.url, job.id), 'interrupted');
  assert.deepEqual(spools(spoolDir), []);
});

test('retarget: a hub started anew on another port is sent the spool', TIMEOUT, async () => {
  const dir = folder();
  const first = await hubProcess(dir);
  const spoolDir = path.join(dir, 'spool');
  const r = reporter(first.url, spoolDir);
  await until(() => r.connected, 10_000, 'the reporter to connect');
  const job = newJob();
  r.started(job);
  await report(r, job.id, 0, 1000);
  first.child.kill('SIGKILL');
  await first.exited;
  await report(r, job.id, 1000, 1000);
  r.finished(job.id, success());
  const second = await hubProcess(dir);
  r.retarget(second.url, OPERATOR);
  assert.equal(await r.idle(60_000), true);
  assertInOrder(await storedChunks(second.url, job.id), 2000);
  assert.equal(await storedStatus(second.url, job.id), 'success');
  assert.deepEqual(spools(spoolDir), []);
});

test('a job handed over whole in one call, far more than one hub message, is stored, whether the hub is away at first or connected', TIMEOUT, async () => {
  // As a window reaching its hub after a flood hands it the jobs it ran: 4.5 MB in one call.
  const big = (count: number): Chunk[] => Array.from({ length: count }, (_, seq) => ({ seq, ts: seq, stream: 'stdout', text: `part ${seq} ${'x'.repeat(30_000)}\n` }));
  const assertWhole = (chunks: Chunk[], count: number): void => {
    assert.equal(chunks.length, count);
    chunks.forEach((c, i) => assert.ok(c.seq === i && c.text.startsWith(`part ${i} `) && c.text.length === 30_000 + `part ${i} \n`.length, `chunk ${i}`));
  };
  const dir = folder();
  const first = await hubProcess(dir);
  const port = Number(new URL(first.url).port);
  first.child.kill('SIGKILL');
  await first.exited;
  const spoolDir = path.join(dir, 'spool');
  const r = reporter(first.url, spoolDir);
  const early = newJob();
  r.started(early);
  r.chunks(early.id, big(150));
  r.finished(early.id, success());

  const hub = await hubProcess(dir, port);
  assert.equal(await r.idle(60_000), true, 'the spooled job is stored');
  assertWhole(await storedChunks(hub.url, early.id), 150);
  const late = newJob();
  r.started(late);
  r.chunks(late.id, big(150));
  r.finished(late.id, success());
  assert.equal(await r.idle(60_000), true, 'the job handed over while connected is stored');
  assertWhole(await storedChunks(hub.url, late.id), 150);
  assert.equal(await storedStatus(hub.url, late.id), 'success');
  assert.deepEqual(spools(spoolDir), []);
});

test('a spool line holding more output than one report (written by an older reporter) is sent in reports within the limits', TIMEOUT, async () => {
  const spoolDir = path.join(folder(), 'spool');
  mkdirSync(spoolDir, { recursive: true, mode: 0o700 });
  const job = newJob();
  const chunks: Chunk[] = Array.from({ length: 150 }, (_, seq) => ({ seq, ts: seq, stream: 'stdout', text: `part ${seq} ${'y'.repeat(30_000)}\n` }));
  const lines = [{ type: 'started', job }, { type: 'chunks', chunks }, { type: 'finished', result: success() }];
  writeFileSync(path.join(spoolDir, `${job.id}.jsonl`), lines.map((l) => JSON.stringify(l) + '\n').join(''), { mode: 0o600 });

  const t = await startTestHub();
  testHubs.push(t);
  const r = reporter(t.hub.url, spoolDir);
  assert.deepEqual(r.replaySpools(), [job.id]);
  assert.equal(await r.idle(60_000), true, 'the spooled job is stored');
  const stored = await storedChunks(t.hub.url, job.id);
  assert.deepEqual(stored.map((c) => c.seq), chunks.map((c) => c.seq));
  assert.ok(stored.every((c, i) => c.text === chunks[i].text));
  assert.equal(await storedStatus(t.hub.url, job.id), 'success');
  assert.deepEqual(spools(spoolDir), []);
});

// The hub meters each connection's bytes; over its rate it answers "later", and the reporter spools
// what it sent and sends it again after that wait. Here the wall clock steps back a minute during
// the first wait (as an NTP correction does): the reporter still sends the rest when the wait is
// over, not a minute later or never.
test('a reporter over the hub\'s byte rate waits as asked and then sends the rest, also when the wall clock steps back meanwhile', TIMEOUT, async (t) => {
  const dir = folder();
  const hub = await hubProcess(dir, 0, ['--rate-mib', '1']);
  const realNow = Date.now;
  t.after(() => (Date.now = realNow));
  let waits = 0;
  const r = reporter(hub.url, path.join(dir, 'spool'), {
    log: (message) => {
      if (!message.startsWith('The hub is busy') || waits++ > 0) return;
      // After the reporter has set its wait (this is logged just before).
      queueMicrotask(() => (Date.now = () => realNow() - 60_000));
    },
  });
  const job = newJob();
  const chunks: Chunk[] = Array.from({ length: 120 }, (_, seq) => ({ seq, ts: seq, stream: 'stdout', text: `part ${seq} ${'z'.repeat(30_000)}\n` }));
  r.started(job);
  for (let i = 0; i < chunks.length; i += 10) r.chunks(job.id, chunks.slice(i, i + 10));
  r.finished(job.id, success());
  assert.equal(await r.idle(30_000), true, 'everything is stored within the rate (3.5 MB at 1 MiB/s, 2 MiB at once)');
  assert.ok(waits > 0, 'the hub asked to wait');
  Date.now = realNow;
  const stored = await storedChunks(hub.url, job.id);
  assert.deepEqual(stored.map((c) => c.seq), chunks.map((c) => c.seq));
  assert.equal(await storedStatus(hub.url, job.id), 'success');
});

test('close() with the hub away leaves the spool; a later replaySpools() sends it and ends the job interrupted', TIMEOUT, async () => {
  const spoolDir = path.join(folder(), 'spool');
  const away = reporter('http://127.0.0.1:1', spoolDir);
  const running = newJob();
  const done = newJob();
  away.started(running);
  away.chunks(running.id, lines(0, 100));
  away.started(done);
  away.chunks(done.id, lines(0, 50));
  away.finished(done.id, success());
  await away.close(200);
  assert.deepEqual(spools(spoolDir).sort(), [`${done.id}.jsonl`, `${running.id}.jsonl`].sort());

  const t = await startTestHub();
  testHubs.push(t);
  const r = reporter(t.hub.url, spoolDir);
  assert.deepEqual(r.replaySpools().sort(), [done.id, running.id].sort());
  assert.equal(await r.idle(30_000), true);
  assertInOrder(await storedChunks(t.hub.url, running.id), 100);
  assertInOrder(await storedChunks(t.hub.url, done.id), 50);
  assert.equal(await storedStatus(t.hub.url, running.id), 'interrupted');
  assert.equal(await storedStatus(t.hub.url, done.id), 'success');
  assert.deepEqual(spools(spoolDir), []);
});

// A spool file whose start is missing (written by hand, or by an older reporter): the hub refuses
// its output and its end, having never heard of the job, and the reporter gives up on the job
// once, with nothing left to resend.
test('a spool without a start: the hub refuses its end, and the reporter forgets the job and its spool instead of sending it again', TIMEOUT, async () => {
  const spoolDir = path.join(folder(), 'spool');
  mkdirSync(spoolDir, { recursive: true });
  const job = newJob();
  const events = [{ type: 'chunks', chunks: lines(0, 5) }, { type: 'finished', result: success() }];
  writeFileSync(path.join(spoolDir, `${job.id}.jsonl`), events.map((e) => JSON.stringify(e) + '\n').join(''));
  const t = await startTestHub();
  testHubs.push(t);
  const logged: string[] = [];
  const r = reporter(t.hub.url, spoolDir, { log: (m) => logged.push(m) });
  assert.deepEqual(r.replaySpools(), [job.id]);
  assert.equal(await r.idle(10_000), true);
  assert.deepEqual(r.pendingJobs, []);
  assert.deepEqual(spools(spoolDir), []);
  assert.ok(logged.some((m) => m.startsWith(`The hub refused finished of job ${job.id}`) && m.includes('never started')), logged.join('\n'));
  assert.equal(await storedStatus(t.hub.url, job.id), undefined);
});

test('cancel-job from another operator reaches the reporter; a cancel from a viewer is refused', TIMEOUT, async () => {
  const t = await startTestHub();
  testHubs.push(t);
  const canceled: string[] = [];
  const r = reporter(t.hub.url, path.join(folder(), 'spool'), { onCancel: (jobId) => void canceled.push(jobId) });
  await until(() => r.connected, 10_000, 'the reporter to connect');
  const job = newJob();
  r.started(job);
  assert.equal(await r.idle(10_000), true);
  const operator = await connect(t.hub.url, { token: OPERATOR });
  clients.push(operator);
  assert.deepEqual(await operator.timeout(10_000).emitWithAck('cancel-job', { jobId: job.id }), { ok: true });
  assert.deepEqual(canceled, [job.id]);
  const viewer = await connect(t.hub.url, { token: VIEWER });
  clients.push(viewer);
  const refused = (await viewer.timeout(10_000).emitWithAck('cancel-job', { jobId: job.id })) as { ok: boolean };
  assert.equal(refused.ok, false);
  assert.deepEqual(canceled, [job.id]);
});

// The hub sweeps the jobs it found `running` at its start once its grace period is over, and
// skips only those live at that moment: a job reported again after the restart and finished
// within the grace period is overwritten as interrupted (src/server/liveJobs.ts sweepLater).
test('a job resumed after a hub restart and finished within the grace period stays successful', TIMEOUT, async () => {
  const dir = folder();
  const first = await hubProcess(dir);
  const spoolDir = path.join(dir, 'spool');
  const r = reporter(first.url, spoolDir);
  await until(() => r.connected, 10_000, 'the reporter to connect');
  const job = newJob();
  r.started(job);
  r.chunks(job.id, lines(0, 10));
  assert.equal(await r.idle(10_000), true);
  first.child.kill('SIGKILL');
  await first.exited;
  const second = await hubProcess(dir, 0, ['--grace-seconds', '2']);
  r.retarget(second.url, OPERATOR);
  r.finished(job.id, success());
  assert.equal(await r.idle(10_000), true);
  assert.equal(await storedStatus(second.url, job.id), 'success');
  await new Promise((resolve) => setTimeout(resolve, 4000));
  assert.equal(await storedStatus(second.url, job.id), 'success');
});

/** The seqs of the chunks in a spool file. */
function spooledSeqs(file: string): number[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      const event = JSON.parse(line) as { type: string; chunks?: Chunk[] };
      return event.type === 'chunks' ? event.chunks!.map((c) => c.seq) : [];
    });
}

// Where output is when the hub stops while its database is down: the hub has acknowledged it and
// holds it in memory, retrying; it dies with the hub. The reporter still holds every chunk not yet
// seen stored (jobs:get), and moves it to its spool file when the hub goes: from there it reaches
// the next hub once the database is back.
test('the database down and the hub stopped (SIGTERM, then SIGKILL) with output queued: the reporter spools it, and the next hub stores it', { timeout: 300_000, skip: skipServer }, async () => {
  const server = (await startTestPostgres())!;
  cleanups.push(() => void server.close());
  const control = server.control!;
  const url = await server.createDatabase();
  const dir = folder();
  let hub = await hubProcess(dir, 0, ['--database', url]);
  const port = Number(new URL(hub.url).port);
  const spoolDir = path.join(dir, 'spool');
  const r = reporter(hub.url, spoolDir);
  await until(() => r.connected, 10_000, 'the reporter to connect');

  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    const job = newJob({ title: `stopped by ${signal}` });
    r.started(job);
    await report(r, job.id, 0, 500);
    assert.equal(await r.idle(20_000), true, 'the first 500 chunks are stored');
    await control.stop();
    await report(r, job.id, 500, 1000);
    await until(() => r.stats.unconfirmedChunks >= 1000, 20_000, `the hub to acknowledge what it cannot store; hub: ${hub.stderr()}`).catch((err: Error) => {
      throw new Error(`${err.message}\n${hub.stderr()}`);
    });

    if (signal === 'SIGKILL') hub.child.kill('SIGKILL');
    const code = signal === 'SIGTERM' ? await hub.stop(30_000) : await hub.exited;
    if (signal === 'SIGTERM') {
      assert.equal(code, 1, hub.stderr());
      assert.match(hub.stderr(), /chunks of output were not stored/);
    }
    await until(() => !r.connected, 10_000, 'the reporter to notice');
    const spool = path.join(spoolDir, `${job.id}.jsonl`);
    assert.deepEqual(spooledSeqs(spool), Array.from({ length: 1000 }, (_, i) => 500 + i), 'every acknowledged chunk the database did not take is in the spool');

    await control.start();
    hub = await hubProcess(dir, port, ['--database', url]);
    await until(() => r.connected, 20_000, 'the reporter to reconnect');
    r.finished(job.id, success());
    assert.equal(await r.idle(30_000), true, 'everything stored after the restart');
    assertInOrder(await storedChunks(hub.url, job.id), 1500);
    assert.equal(await storedStatus(hub.url, job.id), 'success');
    assert.equal(existsSync(spool), false);
  }
});
