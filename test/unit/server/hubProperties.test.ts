// Properties of the hub's edge, against a real hub: any HTTP query answers 200 or 400 (never 500),
// on PGlite and PostgreSQL; and any sequence of hostile socket events sent while a valid job is
// reported leaves that job stored whole and in order.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { reportAsBytes } from '../../../src/core/hub/reportBytes';
import type { JobStore } from '../../../src/core/store/jobStore';
import { PgliteJobStore } from '../../../src/core/store/pgliteJobStore';
import { PostgresJobStore } from '../../../src/core/store/postgresJobStore';
import type { JobInfo } from '../../../src/shared/jobs';
import { NO_POSTGRES, postgresAvailable, startTestPostgres, type TestPostgres } from '../../harness/postgres';
import { connect, lines, newJob, OPERATOR, startTestHub, VIEWER, type Client, type TestHub } from './helpers';

const RUNS = Number(process.env.VMO_PROPERTY_RUNS ?? 100);
const OFF = { socketEvents: 0, socketBytes: 0, httpRequests: 0 };

/** Values a query parameter may take: numbers of every size and form, dates, ids, junk, escapes. */
const paramValue = fc.oneof(
  fc.constantFrom('', '0', '-1', '1e22', '-8.64e15', '8640000000000001', '9'.repeat(30), 'end', 'NaN', 'Infinity', '2026-12-03', '+275760-09-13', '0001-01-01', '1.5', ' 1', '%00', '\0'),
  fc.constantFrom('running', 'failed,success', 'success,,', 'target', 'terminal', `1700000000000.${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`, '1e300.x'),
  fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map(String),
  fc.integer().map(String),
  fc.double().map(String),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ maxLength: 3000 }),
);
const paramName = fc.oneof(fc.constantFrom('status', 'kind', 'alias', 'vm', 'text', 'cursor', 'from', 'to', 'limit', 'fromSeq', 'beforeSeq', 'maxBytes'), fc.string({ maxLength: 8 }));
const query = fc.array(fc.tuple(paramName, paramValue), { maxLength: 6 }).map((pairs) => new URLSearchParams(pairs).toString());

function httpProperty(name: string, open: () => Promise<JobStore>, skip?: string): void {
  describe(name, { skip }, () => {
    let t: TestHub;
    let jobId: string;
    before(async () => {
      t = await startTestHub({ store: await open(), rateLimits: OFF });
      const job = newJob();
      jobId = job.id;
      await t.store.jobStarted(job);
      await t.store.appendChunks(job.id, lines(0, 20));
    });
    after(async () => t?.close());

    test('any query of /api/jobs and /api/jobs/:id/events answers 200 or 400, never 500', { timeout: 300_000 }, async () => {
      await fc.assert(
        fc.asyncProperty(query, fc.boolean(), async (search, events) => {
          const path = events ? `/api/jobs/${jobId}/events?${search}` : `/api/jobs?${search}`;
          const res = await fetch(`${t.hub.url}${path}`, { headers: { authorization: `Bearer ${VIEWER}` }, signal: AbortSignal.timeout(10_000) });
          const body = (await res.json()) as { error?: string };
          assert.ok(res.status === 200 || res.status === 400, `${path} answered ${res.status}: ${JSON.stringify(body)}`);
          if (res.status === 400) assert.equal(typeof body.error, 'string');
        }),
        { numRuns: RUNS },
      );
    });
  });
}

let server: TestPostgres | undefined;
after(async () => server?.close());

httpProperty('HTTP queries, PGlite', () => PgliteJobStore.open({}));
httpProperty(
  'HTTP queries, PostgreSQL',
  async () => {
    server = await startTestPostgres();
    return PostgresJobStore.open({ url: await server!.createDatabase() });
  },
  postgresAvailable() ? undefined : NO_POSTGRES,
);

// ── hostile socket events ───────────────────────────────────────────────────────────────────

/** Numbers a guard must bound: extremes, non-integers, negative zero, beyond a Date. */
const anyNumber = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(1e300, -1e300, -8.64e15, 8.64e15 + 1, 2 ** 31, 2 ** 40, -0, Number.MAX_SAFE_INTEGER, NaN, Infinity));
const anyValue = fc.oneof(anyNumber, fc.string({ unit: 'binary', maxLength: 50 }), fc.constant(null), fc.boolean(), fc.anything({ maxDepth: 2 }));

/** A job record with any of its fields out of range (or in range). */
const hostileJob = fc.record({
  id: fc.oneof(fc.uuid(), fc.string()),
  kind: fc.oneof(fc.constantFrom('target', 'ssh-logs'), anyValue),
  mode: fc.constantFrom('console', 'terminal'),
  title: fc.oneof(fc.string({ unit: 'binary' }), anyValue),
  argv: fc.oneof(fc.array(fc.string({ unit: 'binary' }), { maxLength: 3 }), anyValue),
  hostname: fc.string(),
  startedAt: anyNumber,
  status: fc.oneof(fc.constant('running'), anyValue),
  exitCode: anyNumber,
  durationMs: anyNumber,
  finishedAt: anyNumber,
  alias: fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.constant('€'.repeat(300))),
});
const hostileChunk = fc.record({ seq: anyNumber, ts: anyNumber, stream: fc.oneof(fc.constant('stdout'), anyValue), text: fc.oneof(fc.string({ unit: 'binary' }), anyValue) });
const someId = fc.oneof(fc.uuid(), fc.string(), anyValue);
/** A chunk of a report whose text goes as bytes (version 4): its share of the bytes, near-valid or junk. */
const hostileChunkOfBytes = fc.record({ seq: anyNumber, ts: anyNumber, stream: fc.oneof(fc.constant('stdout'), anyValue), bytes: fc.oneof(fc.nat(300), anyValue) }, { requiredKeys: ['seq', 'ts', 'stream'] });
const hostileBytes = fc.oneof(fc.uint8Array({ maxLength: 300 }), anyValue);

/** One event as a hostile (or broken) client may send it: a known name with a near-valid or junk payload, or anything. */
const hostileEvent: fc.Arbitrary<[string, unknown[]]> = fc.oneof(
  fc.tuple(fc.constant('report:started'), fc.tuple(hostileJob)),
  fc.tuple(fc.constant('report:chunks'), fc.tuple(fc.record({ jobId: someId, chunks: fc.oneof(fc.array(hostileChunk, { maxLength: 5 }), anyValue) }))),
  fc.tuple(fc.constant('report:chunks'), fc.tuple(fc.record({ jobId: someId, chunks: fc.oneof(fc.array(fc.oneof(hostileChunkOfBytes, hostileChunk), { maxLength: 5 }), anyValue), bytes: hostileBytes }))),
  fc.tuple(fc.constant('report:finished'), fc.tuple(fc.record({ jobId: someId, result: fc.record({ status: fc.oneof(fc.constantFrom('success', 'failed'), anyValue), exitCode: anyNumber, signal: anyValue, durationMs: anyNumber, finishedAt: anyNumber }) }))),
  fc.tuple(fc.constant('report:catalog'), fc.tuple(fc.record({ projects: fc.array(fc.record({ alias: fc.string({ unit: 'binary' }), dir: fc.string() }), { maxLength: 3 }), vms: fc.oneof(fc.constant([]), anyValue) }))),
  fc.tuple(fc.constantFrom('jobs:list'), fc.tuple(fc.record({ from: anyNumber, to: anyNumber, limit: anyNumber, cursor: anyValue, status: anyValue, text: fc.string({ unit: 'binary' }) }, { requiredKeys: [] }))),
  fc.tuple(fc.constantFrom('jobs:events'), fc.tuple(fc.record({ jobId: someId, fromSeq: anyNumber, beforeSeq: fc.oneof(fc.constant('end'), anyNumber), limit: anyNumber, maxBytes: anyNumber }, { requiredKeys: ['jobId'] }))),
  fc.tuple(fc.constantFrom('join-job', 'leave-job', 'jobs:get', 'jobs:delete', 'cancel-job'), fc.array(someId, { maxLength: 2 })),
  fc.tuple(fc.string({ maxLength: 12 }), fc.array(anyValue, { maxLength: 3 })),
);

describe('hostile socket events', () => {
  let t: TestHub;
  const clients: Client[] = [];
  before(async () => {
    t = await startTestHub();
  });
  after(async () => {
    for (const c of clients) c.close();
    await t?.close();
  });

  test('sent by an operator and a viewer while a valid job is reported (as text or as bytes), they leave that job stored whole and in order', { timeout: 300_000 }, async () => {
    const reporter = await connect(t.hub.url, { token: OPERATOR, reporter: 'good' });
    const hostile = [await connect(t.hub.url, { token: OPERATOR, reporter: 'bad' }), await connect(t.hub.url, { token: VIEWER })];
    clients.push(reporter, ...hostile);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(1), hostileEvent, fc.boolean()), { minLength: 1, maxLength: 30 }), fc.boolean(), async (events, asBytes) => {
        const job: JobInfo = newJob();
        const sent = lines(0, 60);
        const reported = (async () => {
          assert.equal((await reporter.timeout(10_000).emitWithAck('report:started', job)).ok, true);
          for (let i = 0; i < sent.length; i += 10) {
            const chunks = sent.slice(i, i + 10);
            const answer = await reporter.timeout(10_000).emitWithAck('report:chunks', asBytes ? reportAsBytes(job.id, chunks) : { jobId: job.id, chunks });
            assert.equal(answer.ok, true, JSON.stringify(answer));
          }
          const end = { status: 'success', exitCode: 0, signal: null, durationMs: 5, finishedAt: Date.now() } as const;
          assert.equal((await reporter.timeout(10_000).emitWithAck('report:finished', { jobId: job.id, result: end })).ok, true);
        })();
        const attacks = Promise.all(
          events.map(async ([who, [event, args], withAck]) => {
            const socket = hostile[who] as unknown as { emit(e: string, ...a: unknown[]): void; timeout(ms: number): { emitWithAck(e: string, ...a: unknown[]): Promise<unknown> } };
            if (!withAck) return socket.emit(event, ...args);
            const answer = await socket.timeout(10_000).emitWithAck(event, ...args).catch(() => undefined);
            // Every acknowledged event is answered, with ok or an error: a refusal is data.
            if (answer !== undefined) assert.equal(typeof (answer as { ok?: unknown }).ok, 'boolean', `${event}: ${JSON.stringify(answer)}`);
          }),
        );
        await Promise.all([reported, attacks]);
        const list = await reporter.timeout(10_000).emitWithAck('jobs:get', job.id);
        assert.ok(list.ok && list.job.status === 'success', JSON.stringify(list));
        const stored = await t.store.readEvents(job.id, 0, { limit: 1000 });
        assert.deepStrictEqual(stored, sent);
        for (const socket of hostile) assert.ok(socket.connected, 'the hostile sockets were within their rate limits, so still connected');
      }),
      { numRuns: Math.ceil(RUNS / 4) },
    );
  });
});
