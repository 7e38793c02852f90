// PostgreSQL frozen under a running hub (the real hub process): every process of the server is
// stopped (SIGSTOP) for FREEZE_MS, as a hung machine or a network that drops everything would
// leave it, then let go on (SIGCONT). Reads already on a connection give up within about 10 s with
// an error naming the database (never its password), the HTTP API answers 503 with Retry-After,
// and a job reported by a window all through the freeze is stored whole, every line once: the
// statements the hub gave up on may still commit when the server comes back, beside their retries.
// Bounded: one freeze of 14 s, at most 60 s to store what waited.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { HubReporter } from '../../../src/core/hub/hubReporter';
import { PostgresJobStore } from '../../../src/core/store/postgresJobStore';
import { StoreUnavailable } from '../../../src/core/store/storeUnavailable';
import { NO_POSTGRES, postgresAvailable, startTestPostgres, type TestPostgres } from '../../harness/postgres';
import { printing, readAll } from '../store/helpers';
import { newJob, OPERATOR, spawnHub, tempDir, until, VIEWER, type HubProcess } from './helpers';

/** Longer than a read waits before it gives up (about 10 s), so that it gives up while frozen. */
const FREEZE_MS = 14_000;
const PASSWORD = 'do-not-show-me';

const temp = tempDir();
let server: TestPostgres | undefined;
let hub: HubProcess | undefined;
let store: PostgresJobStore | undefined;
let reporter: HubReporter | undefined;
after(async () => {
  await reporter?.close(100);
  await hub?.stop(5000);
  await store?.close();
  await server?.close();
  temp.remove();
});

const skip = !postgresAvailable() ? NO_POSTGRES : process.env.VMO_TEST_DATABASE_URL ? 'VMO_TEST_DATABASE_URL is a server these tests may not freeze' : undefined;

/** A GET that waits long enough to see how the hub answers while its database is frozen. */
async function slowGet(url: string): Promise<{ status: number; retryAfter: string | null; body: { error?: string }; ms: number }> {
  const start = Date.now();
  const res = await fetch(url, { headers: { authorization: `Bearer ${VIEWER}` }, signal: AbortSignal.timeout(60_000) });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { error?: string }, ms: Date.now() - start };
}

test('PostgreSQL frozen: reads give up in bounded time (503 over HTTP), a job reported throughout is stored whole, once', { skip, timeout: 240_000 }, async () => {
  server = await startTestPostgres();
  const dbUrl = new URL(await server!.createDatabase());
  // The test cluster trusts local connections: the password is never asked for, only shown (or not).
  dbUrl.password = PASSWORD;
  const tokenFile = path.join(temp.dir, 'tokens');
  writeFileSync(tokenFile, `viewer ${VIEWER}\noperator ${OPERATOR}\n`, { mode: 0o600 });
  hub = await spawnHub(['--token-file', tokenFile, '--database', dbUrl.href, '--port', '0']);
  store = await PostgresJobStore.open({ url: dbUrl.href, onWarning: () => undefined });

  reporter = new HubReporter({ url: hub.url, token: OPERATOR, reporterId: 'frozen-db-window', spoolDir: path.join(temp.dir, 'spool') });
  await until(() => reporter!.connected, 10_000, 'the reporter to connect');
  const job = newJob({ title: 'through a frozen database' });
  reporter.started(job);
  const printed = printing(reporter, job.id);
  const { sent } = printed;

  try {
    await until(async () => (await store!.getJob(job.id))?.lastSeq !== undefined, 20_000, 'the first output to be stored');
    // Connections left idle in both pools: the reads below go out on them and wait for an answer.
    assert.equal((await slowGet(`${hub.url}/api/jobs/${job.id}`)).status, 200);
    const thaw = server!.control!.freeze();
    // Let go on after FREEZE_MS whatever the reads do: a read that waits for good shows as one answered late.
    const thawing = sleep(FREEZE_MS).then(thaw);
    try {
      const [direct, http] = await Promise.all([
        (async () => {
          const start = Date.now();
          const error = await store!.getJob(job.id).then(() => undefined, (err: unknown) => err);
          return { error, ms: Date.now() - start };
        })(),
        slowGet(`${hub.url}/api/jobs/${job.id}`),
      ]);
      console.log(`# frozen: the store's read ended after ${direct.ms} ms, GET after ${http.ms} ms (${http.status}): ${http.body.error}`);
      assert.ok(direct.error instanceof StoreUnavailable, `the read failed with StoreUnavailable: ${String(direct.error)}`);
      assert.match(direct.error.message, /^The job database postgres:\/\/postgres@127\.0\.0\.1:\d+\/vmo_test_\w+ is unreachable: it did not answer for 10 s$/);
      assert.ok(direct.ms < FREEZE_MS - 1000, `the read gave up while the server was frozen (after ${direct.ms} ms)`);
      assert.equal(http.status, 503);
      assert.equal(http.retryAfter, '10');
      assert.match(http.body.error ?? '', /^The job database postgres:\/\/postgres@127\.0\.0\.1:\d+\/vmo_test_\w+ is unreachable: /);
      assert.ok(http.ms < FREEZE_MS - 1000, `the GET was answered while the server was frozen (after ${http.ms} ms)`);
      await thawing;
    } finally {
      thaw();
    }
    await sleep(1000); // output goes on after the thaw
  } finally {
    printed.stop();
  }
  reporter.finished(job.id, { status: 'success', exitCode: 0, signal: null, durationMs: 1, finishedAt: Date.now() });
  await until(async () => (await store!.getJob(job.id))?.status === 'success', 60_000, 'the job to be stored to its end');
  assert.equal(await reporter.idle(30_000), true, 'the reporter has nothing left unconfirmed');

  const stored = await readAll(store, job.id);
  assert.deepEqual(stored.map((c) => c.seq), sent.map((c) => c.seq), 'every chunk stored');
  assert.equal(stored.map((c) => c.text).join(''), printed.text(), 'every line once, in order');
  assert.equal((await store.getJob(job.id))?.lastSeq, sent.length - 1);
  assert.equal((await slowGet(`${hub.url}/api/jobs/${job.id}`)).status, 200, 'the hub answers again');
  const log = hub.stderr();
  assert.match(log, /Job store write failed \(attempt 1\), retrying: .*The job database postgres:\/\/postgres@127\.0\.0\.1:\d+\/\w+ is unreachable/, 'the writer gave up a statement and retried it');
  assert.ok(!log.includes(PASSWORD) && !JSON.stringify(stored).includes(PASSWORD), 'the password is never shown');
  console.log(`# ${sent.length} chunks stored once each`);
});

test('PostgreSQL stopped: a job that starts meanwhile is asked for again, not refused, and stored whole once the server is back', { skip, timeout: 120_000 }, async () => {
  const cluster = await startTestPostgres();
  const temp2 = tempDir();
  const tokenFile = path.join(temp2.dir, 'tokens');
  writeFileSync(tokenFile, `viewer ${VIEWER}\noperator ${OPERATOR}\n`, { mode: 0o600 });
  const url = await cluster!.createDatabase();
  const stoppedHub = await spawnHub(['--token-file', tokenFile, '--database', url, '--port', '0']);
  const window = new HubReporter({ url: stoppedHub.url, token: OPERATOR, reporterId: 'stopped-db-window', spoolDir: path.join(temp2.dir, 'spool') });
  const reader = await PostgresJobStore.open({ url, onWarning: () => undefined });
  try {
    await until(() => window.connected, 10_000, 'the reporter to connect');
    await cluster!.control!.stop();
    const job = newJob({ title: 'started while the database was stopped' });
    window.started(job);
    const printed = printing(window, job.id);
    await sleep(3000);
    await cluster!.control!.start();
    await sleep(500);
    printed.stop();
    window.finished(job.id, { status: 'success', exitCode: 0, signal: null, durationMs: 1, finishedAt: Date.now() });
    await until(async () => (await reader.getJob(job.id).catch(() => undefined))?.status === 'success', 60_000, 'the job to be stored to its end');
    assert.equal((await readAll(reader, job.id)).map((c) => c.text).join(''), printed.text(), 'every line, once, in order');
    assert.doesNotMatch(stoppedHub.stderr(), /refused report:started/);
  } finally {
    await window.close(100);
    await stoppedHub.stop(5000);
    await reader.close();
    await cluster!.close();
    temp2.remove();
  }
});
