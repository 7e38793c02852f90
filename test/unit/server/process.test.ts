import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { NO_POSTGRES, postgresAvailable, startTestPostgres, type TestPostgres } from '../../harness/postgres';
import { connect, get, lines, newJob, spawnHub, tempDir, until, type Client, type HubProcess } from './helpers';

const TIMEOUT = { timeout: 180_000 };
const hubs: HubProcess[] = [];
const cleanups: (() => void)[] = [];
after(async () => {
  await Promise.all(hubs.map((h) => h.stop(5000)));
  for (const c of cleanups) c();
});

async function hub(args: string[]): Promise<HubProcess> {
  const h = await spawnHub(args);
  hubs.push(h);
  return h;
}

function dataDir(): string {
  const temp = tempDir();
  cleanups.push(temp.remove);
  return temp.dir;
}

const tokensOf = (dir: string): { viewer: string; operator: string } => {
  const text = readFileSync(path.join(dir, 'tokens'), 'utf8');
  return { viewer: /^viewer (\S+)$/m.exec(text)![1], operator: /^operator (\S+)$/m.exec(text)![1] };
};

test('--help prints the usage; a bad flag exits 2 with the reason', TIMEOUT, async () => {
  const help = await spawnHub(['--help']);
  assert.equal(help.firstLine, 'Usage: node dist/server.js [options]');
  assert.equal(await help.exited, 0);
  await assert.rejects(spawnHub(['--port', 'x']), /exited \(2\).*Expected --port to be a whole number/s);
});

test('first stdout line is "listening http://127.0.0.1:<port>"; the token file is created 0600; tokens work', TIMEOUT, async () => {
  const dir = dataDir();
  const h = await hub(['--data-dir', dir]);
  assert.match(h.firstLine, /^listening http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(statSync(path.join(dir, 'tokens')).mode & 0o777, 0o600);
  const { viewer } = tokensOf(dir);
  assert.equal((await get(h.url, '/api/jobs', { authorization: `Bearer ${viewer}` })).status, 200);
  assert.equal(await h.stop(), 0);
});

// Creating a PGlite folder in the hub's own process peaked at about 780 MB of RSS, and the hub kept
// 350 MB of it; a child process that creates it takes that memory along when it exits.
test('a hub on a new PGlite folder creates it in a child process, and never holds that memory itself', TIMEOUT, async () => {
  const dir = dataDir();
  const h = await hub(['--data-dir', dir]);
  assert.ok(existsSync(path.join(dir, 'pglite', 'PG_VERSION')));
  const peakMb = Number(/^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${h.child.pid}/status`, 'utf8'))![1]) / 1024;
  assert.ok(peakMb < 400, `the hub's peak RSS was ${peakMb} MB`);
  assert.doesNotMatch(h.stderr(), /could not be created apart/);
  assert.equal(await h.stop(), 0);
  // --create-pglite alone creates a folder and exits.
  const other = path.join(dir, 'other');
  const created = await spawnHub(['--create-pglite', other]).catch((err: Error) => err);
  assert.match(String(created), /exited \(0\) before printing a line/);
  assert.ok(existsSync(path.join(other, 'PG_VERSION')));
});

test('exits after the idle period, but not while a client is connected', TIMEOUT, async () => {
  const dir = dataDir();
  const h = await hub(['--data-dir', dir, '--idle-exit-seconds', '1']);
  const client = await connect(h.url, { token: tokensOf(dir).viewer });
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(h.child.exitCode, null, 'still running while a client is connected');
  client.close();
  const start = Date.now();
  assert.equal(await h.exited, 0);
  assert.ok(Date.now() - start < 10_000);
  assert.match(h.stderr(), /Stopping \(idle\)/);
});

/** Reports a job with `count` chunks as fast as acks allow; ends it unless `finish` is false. */
async function report(op: Client, count: number, finish = true): Promise<string> {
  const job = newJob();
  await op.timeout(10_000).emitWithAck('report:started', job);
  for (let seq = 0; seq < count; seq += 1000) await op.timeout(10_000).emitWithAck('report:chunks', { jobId: job.id, chunks: lines(seq, Math.min(1000, count - seq)) });
  if (finish) await op.timeout(10_000).emitWithAck('report:finished', { jobId: job.id, result: { status: 'failed', exitCode: 3, signal: null, durationMs: 9, finishedAt: Date.now() } });
  return job.id;
}

test('SIGTERM stores everything accepted; the next hub interrupts jobs left running after the grace period', TIMEOUT, async () => {
  const dir = dataDir();
  const first = await hub(['--data-dir', dir]);
  const { viewer, operator } = tokensOf(dir);
  const op = await connect(first.url, { token: operator });
  const done = await report(op, 20_000);
  const running = await report(op, 10, false);
  assert.equal(await first.stop(), 0);
  op.close();

  const second = await hub(['--data-dir', dir, '--grace-seconds', '1']);
  const auth = { authorization: `Bearer ${viewer}` };
  const job = (await get(second.url, `/api/jobs/${done}`, auth)).body.job as { status: string; exitCode: number; lastSeq: number };
  assert.deepEqual([job.status, job.exitCode, job.lastSeq], ['failed', 3, 19_999]);
  const tail = await get(second.url, `/api/jobs/${done}/events?fromSeq=19990`, auth);
  assert.deepEqual(tail.body.chunks, lines(19_990, 10));
  await until(async () => ((await get(second.url, `/api/jobs/${running}`, auth)).body.job as { status: string }).status === 'interrupted', 15_000, 'interrupted');
  assert.equal(await second.stop(), 0);
});

let pgServer: TestPostgres | undefined;
after(() => pgServer?.close());

test('the same hub on a real PostgreSQL server', { ...TIMEOUT, skip: postgresAvailable() ? undefined : NO_POSTGRES }, async () => {
  pgServer = await startTestPostgres();
  if (!pgServer) return;
  const url = await pgServer.createDatabase();
  const dir = dataDir();
  const h = await hub(['--data-dir', dir, '--database', url]);
  const { viewer, operator } = tokensOf(dir);
  const op = await connect(h.url, { token: operator });
  const watcher = await connect(h.url, { token: viewer });
  const id = await report(op, 3000);
  const seqs: number[] = [];
  watcher.on('job:log', (e) => seqs.push(e.seq));
  const ended = new Promise((resolve) => watcher.once('job:done', resolve));
  await watcher.timeout(30_000).emitWithAck('join-job', { jobId: id, fromSeq: 0 });
  await ended;
  assert.equal(seqs.length, 3000);
  assert.ok(seqs.every((s, i) => s === i));
  op.close();
  watcher.close();
  assert.equal(await h.stop(), 0);
});
