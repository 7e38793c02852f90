// Property: any value the schema accepts is stored and read back as the schema normalized it, by
// PGlite and by a real PostgreSQL server — so nothing the hub acknowledges can be refused later.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { JobStore } from '../../../src/core/store/jobStore';
import { PgliteJobStore } from '../../../src/core/store/pgliteJobStore';
import { PostgresJobStore } from '../../../src/core/store/postgresJobStore';
import type { Chunk, JobInfo, JobResult } from '../../../src/shared/jobs';
import { LIMITS, parseChunks, parseJobInfo, parseJobResult } from '../../../src/shared/schema';
import { INT4_MAX, INT4_MIN, TIME_MAX_MS, TIME_MIN_MS, type Parsed } from '../../../src/shared/schemaFields';
import { NO_POSTGRES, postgresAvailable, startTestPostgres, type TestPostgres } from '../../harness/postgres';
import { readAll } from './helpers';

const RUNS = Number(process.env.VMO_PROPERTY_RUNS ?? 60);

/** Characters that stress text columns: NUL, lone surrogates, array-literal and LIKE syntax, 3- and 4-byte UTF-8. */
const char = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.constantFrom('\0', '\uD800', '\uDFFF', '{', '}', '"', ',', '\\', '%', '_', "'", 'NULL', '\n', '\r', '\u2028', '€', '😀') },
);
/** A string of up to `max` UTF-16 units, sometimes exactly `max` (of 3-byte characters, the most bytes an index entry holds). */
const text = (max: number): fc.Arbitrary<string> =>
  fc.oneof({ weight: 8, arbitrary: fc.string({ unit: char, maxLength: Math.min(max, 40) }).map((s) => s.slice(0, max)) }, { weight: 1, arbitrary: fc.constant('€'.repeat(max)) });
const time = fc.oneof(fc.integer({ min: TIME_MIN_MS, max: TIME_MAX_MS }), fc.constantFrom(TIME_MIN_MS, TIME_MAX_MS, 0, -1), fc.double({ min: TIME_MIN_MS, max: TIME_MAX_MS, noNaN: true }));
const duration = fc.oneof(fc.integer({ min: 0, max: TIME_MAX_MS - TIME_MIN_MS }), fc.constantFrom(0, TIME_MAX_MS - TIME_MIN_MS), fc.double({ min: 0, max: 1e9, noNaN: true }));
const argList = fc.array(text(LIMITS.arg), { maxLength: 6 });

const jobInfo: fc.Arbitrary<JobInfo> = fc.record(
  {
    id: fc.uuid(),
    kind: fc.constantFrom('target', 'terminal', 'ssh-logs', 'remote-command'),
    mode: fc.constantFrom('console', 'terminal'),
    title: text(LIMITS.title),
    argv: argList,
    cwd: text(LIMITS.text),
    alias: text(LIMITS.name),
    target: text(LIMITS.text),
    args: argList,
    vm: text(LIMITS.vm),
    hostname: text(LIMITS.name),
    startedAt: time,
    status: fc.constant('running'),
  },
  { requiredKeys: ['id', 'kind', 'mode', 'title', 'argv', 'hostname', 'startedAt', 'status'] },
) as fc.Arbitrary<JobInfo>;

/** Output of a few bytes up to 80,000 characters, sometimes large and repetitive, as output is, so that it is stored deflated (packedOutput.ts). */
const output = fc.oneof(
  { weight: 3, arbitrary: text(2000) },
  { weight: 1, arbitrary: fc.tuple(text(40), fc.integer({ min: 1, max: 2000 })).map(([s, n]) => s.repeat(n).slice(0, 80_000)) },
  { weight: 1, arbitrary: fc.string({ unit: char, minLength: 1400, maxLength: 6000 }) },
);
const chunks: fc.Arbitrary<Chunk[]> = fc.uniqueArray(
  fc.record({ seq: fc.oneof(fc.integer({ min: 0, max: INT4_MAX }), fc.constantFrom(0, INT4_MAX)), ts: time, stream: fc.constantFrom('stdout', 'stderr', 'system'), text: output }),
  { selector: (c) => c.seq, maxLength: 8 },
) as fc.Arbitrary<Chunk[]>;

const result: fc.Arbitrary<JobResult> = fc.record({
  status: fc.constantFrom('success', 'failed', 'canceled', 'interrupted'),
  exitCode: fc.oneof(fc.constant(null), fc.integer({ min: INT4_MIN, max: INT4_MAX }), fc.constantFrom(INT4_MIN, INT4_MAX, -0)),
  signal: fc.oneof(fc.constant(null), text(LIMITS.signal)),
  durationMs: duration,
  finishedAt: time,
}) as fc.Arbitrary<JobResult>;

function accepted<T>(parsed: Parsed<T>): T {
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  return parsed.value;
}

/** The fields of a stored job that its start and end set. */
function asStored(job: JobInfo, end: JobResult): Record<string, unknown> {
  return { ...job, status: end.status, exitCode: end.exitCode, signal: end.signal, durationMs: end.durationMs, finishedAt: end.finishedAt };
}

function roundTrip(name: string, open: () => Promise<JobStore>, skip?: string): void {
  describe(name, { skip }, () => {
    let store: JobStore;
    before(async () => {
      store = await open();
      await store.migrate();
    });
    after(async () => store?.close());

    test('a job, its output and its end, as accepted, are read back as accepted', { timeout: 300_000 }, async () => {
      await fc.assert(
        fc.asyncProperty(jobInfo, chunks, result, async (rawJob, rawChunks, rawEnd) => {
          // A fresh id each time: a shrunk case repeats the ids of the case it came from.
          const job = accepted(parseJobInfo({ ...rawJob, id: randomUUID() }));
          const output = accepted(parseChunks(rawChunks));
          const end = accepted(parseJobResult(rawEnd));
          await store.jobStarted(job);
          await store.appendChunks(job.id, output);
          await store.jobFinished(job.id, end);
          const stored = await store.getJob(job.id);
          assert.ok(stored);
          const { command: _command, lastSeq, ...fields } = stored;
          assert.deepStrictEqual(fields, asStored(job, end));
          assert.equal(lastSeq, output.length > 0 ? Math.max(...output.map((c) => c.seq)) : undefined);
          assert.deepStrictEqual(await readAll(store, job.id), [...output].sort((a, b) => a.seq - b.seq));
        }),
        { numRuns: RUNS, endOnFailure: process.env.VMO_PROPERTY_SHRINK === undefined },
      );
    });
  });
}

let server: TestPostgres | undefined;
after(async () => server?.close());

roundTrip('PGlite', () => PgliteJobStore.open({}));
roundTrip(
  'PostgreSQL',
  async () => {
    server = await startTestPostgres();
    return PostgresJobStore.open({ url: await server!.createDatabase() });
  },
  postgresAvailable() ? undefined : NO_POSTGRES,
);
