import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CATALOG_LIMITS,
  INT4_MAX,
  LIMITS,
  parseCatalog,
  parseEventsQuery,
  parseJobInfo,
  parseJobQuery,
  parseJobRef,
  parseJoinRequest,
  parseReportChunks,
  parseReportFinished,
  TIME_MAX_MS,
  TIME_MIN_MS,
} from '../../../src/shared/schema';

const ID = '0b4d3d2c-8f6a-4c38-9a57-3f0f0e1d2c3b';
const job = { id: ID, kind: 'target', mode: 'console', title: 't', argv: ['make'], hostname: 'h', startedAt: 1, status: 'running' };
const result = { status: 'success', exitCode: 0, signal: null, durationMs: 5, finishedAt: 6 };

/** The refusal's message, or fails when the value was accepted. */
function refusal(parsed: { ok: boolean; error?: string }): string {
  assert.equal(parsed.ok, false, 'expected a refusal');
  return parsed.error!;
}

test('join-job, cancel-job: a bare id (the seed) or { jobId, fromSeq }', () => {
  assert.deepEqual(parseJoinRequest('a'), { ok: true, value: { jobId: 'a' } });
  assert.deepEqual(parseJoinRequest({ jobId: 'a', fromSeq: 0 }), { ok: true, value: { jobId: 'a', fromSeq: 0 } });
  for (const bad of [undefined, '', 5, { jobId: 'a', fromSeq: -1 }, { jobId: 'a', fromSeq: 1.5 }, { jobId: 'a', fromSeq: INT4_MAX + 1 }, { fromSeq: 0 }, ['a']]) {
    assert.equal(parseJoinRequest(bad).ok, false, JSON.stringify(bad));
  }
  assert.ok(parseJobRef('a').ok && parseJobRef({ jobId: 'a' }).ok && !parseJobRef({}).ok);
});

test('jobs:list filters: known values, times the store holds, a cursor it wrote', () => {
  assert.ok(parseJobQuery({}).ok);
  assert.ok(parseJobQuery({ status: ['running', 'failed'], kind: 'target', limit: 10, from: 0 }).ok);
  assert.ok(parseJobQuery({ cursor: `1700000000000.${ID}` }).ok);
  for (const bad of [null, { status: 'bogus' }, { kind: 'x' }, { limit: 0 }, { limit: 501 }, { from: 'yesterday' }, { from: 1e22 }, { to: -8.64e15 }, { cursor: 'x' }, { cursor: `1e300.${ID}` }, { text: 'x'.repeat(LIMITS.search + 1) }]) {
    assert.equal(parseJobQuery(bad).ok, false, JSON.stringify(bad));
  }
  assert.match(refusal(parseJobQuery({ from: 1e22 })), /^from: expected a time from year 1 to 9999/);
});

test('jobs:events: seqs inside the integer column, fromSeq or beforeSeq', () => {
  assert.ok(parseEventsQuery({ jobId: ID, beforeSeq: 'end', maxBytes: 1024 }).ok);
  assert.match(refusal(parseEventsQuery({ jobId: ID, fromSeq: 2 ** 31 })), /^fromSeq: expected a whole number from 0 to 2147483647/);
  assert.match(refusal(parseEventsQuery({ jobId: ID, fromSeq: 0, beforeSeq: 5 })), /not both/);
});

test('reports: what the database cannot hold is refused, naming the field', () => {
  assert.ok(parseJobInfo(job).ok);
  const refused: Array<[object, RegExp]> = [
    [{ ...job, startedAt: 1e300 }, /^startedAt: expected a time/],
    [{ ...job, startedAt: -8.64e15 }, /^startedAt: expected a time/],
    [{ ...job, startedAt: TIME_MAX_MS + 1 }, /^startedAt/],
    [{ ...job, exitCode: 2 ** 40 }, /^exitCode: expected a whole number from -2147483648/],
    [{ ...job, durationMs: 1e300 }, /^durationMs: expected a duration of at most/],
    [{ ...job, durationMs: -1 }, /^durationMs/],
    [{ ...job, id: 'job-1' }, /^id: expected a UUID/],
    [{ ...job, argv: 'make' }, /^argv: expected a list/],
    [{ ...job, argv: ['x'.repeat(LIMITS.arg + 1)] }, /^argv\[0\]: expected at most/],
    [{ ...job, alias: 'x'.repeat(LIMITS.name + 1) }, /^alias: expected at most 256 characters/],
    [{ ...job, status: 'odd' }, /^status: expected one of/],
  ];
  for (const [bad, message] of refused) assert.match(refusal(parseJobInfo(bad)), message, JSON.stringify(bad).slice(0, 100));
  assert.ok(parseJobInfo({ ...job, startedAt: TIME_MIN_MS }).ok && parseJobInfo({ ...job, startedAt: TIME_MAX_MS }).ok);

  assert.ok(parseReportChunks({ jobId: ID, chunks: [{ seq: 0, ts: 1, stream: 'stdout', text: 'x' }] }).ok);
  assert.match(refusal(parseReportChunks({ jobId: ID, chunks: [{ seq: 0, ts: 1, stream: 'tty', text: 'x' }] })), /^chunks\[0\]\.stream/);
  assert.match(refusal(parseReportChunks({ jobId: ID, chunks: [{ seq: 0, ts: 1e300, stream: 'stdout', text: 'x' }] })), /^chunks\[0\]\.ts/);
  assert.match(refusal(parseReportChunks({ jobId: ID, chunks: {} })), /^chunks: expected a list/);
  assert.ok(parseReportFinished({ jobId: ID, result }).ok);
  assert.match(refusal(parseReportFinished({ jobId: ID, result: { ...result, status: 'running' } })), /^result\.status/);
  assert.match(refusal(parseReportFinished({ jobId: ID, result: { ...result, exitCode: 'x' } })), /^result\.exitCode/);
});

test('accepted values come back as the store keeps them: whole milliseconds, text without NUL, well-formed', () => {
  const parsed = parseJobInfo({ ...job, title: 'a\0b\uD800', startedAt: 1.6, durationMs: 2.4, exitCode: -0 });
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value, { ...job, title: 'ab\uFFFD', startedAt: 2, durationMs: 2, exitCode: 0 });
  assert.ok(Object.is((parsed.value as { exitCode: number }).exitCode, 0));
});

test('report:catalog: projects with optional targets and VMs, every string and list bounded', () => {
  const project = { alias: 'web', dir: '/src/web', version: '1.0', targets: [{ name: 'build', description: 'Compile' }, { name: 'test' }] };
  const vm = { environment: 'prod', name: 'app1', host: '10.0.0.5', user: 'deploy', sshDestination: 'deploy@10.0.0.5' };
  assert.ok(parseCatalog({ projects: [project, { alias: 'api', dir: '/src/api' }], vms: [vm] }).ok);
  assert.ok(parseCatalog({ projects: [], vms: [] }).ok);
  const long = 'x'.repeat(LIMITS.text + 1);
  const many = <T>(n: number, item: T): T[] => Array.from({ length: n }, () => item);
  for (const bad of [
    null,
    { projects: [] },
    { projects: {}, vms: [] },
    { projects: [{ ...project, alias: '' }], vms: [] },
    { projects: [{ ...project, dir: 5 }], vms: [] },
    { projects: [{ ...project, targets: [{ name: '' }] }], vms: [] },
    { projects: [{ ...project, targets: [{ name: 'a', description: long }] }], vms: [] },
    { projects: [{ ...project, targets: many(CATALOG_LIMITS.targetsPerProject + 1, { name: 'a' }) }], vms: [] },
    { projects: many(CATALOG_LIMITS.projects + 1, project), vms: [] },
    { projects: [], vms: many(CATALOG_LIMITS.vms + 1, vm) },
    { projects: [], vms: [{ ...vm, user: undefined }] },
    { projects: [], vms: [{ ...vm, host: long }] },
  ]) {
    assert.equal(parseCatalog(bad).ok, false, JSON.stringify(bad)?.slice(0, 200));
  }
  assert.match(refusal(parseCatalog({ projects: [], vms: [vm, { ...vm, host: long }] })), /^vms\[1\]\.host: expected at most 256 characters/);
});
