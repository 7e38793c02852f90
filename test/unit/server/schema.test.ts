import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { reportAsBytes } from '../../../src/core/hub/reportBytes';
import type { Chunk } from '../../../src/shared/jobs';
import { CATALOG_LIMITS, LIMITS, parseCatalog, parseEventsQuery, parseJobInfo, parseJobQuery, parseJobRef, parseJoinRequest, parseReportChunks, parseReportFinished, utf8Of } from '../../../src/shared/schema';
import { INT4_MAX, cleanText, TIME_MAX_MS, TIME_MIN_MS } from '../../../src/shared/schemaFields';

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

test('report:chunks of version 4: text as UTF-8 bytes in one attachment reads as the same text would, bytes that are not UTF-8 as U+FFFD', () => {
  const texts = (parsed: ReturnType<typeof parseReportChunks>): string[] => {
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
    return parsed.value.chunks.map((c) => c.text);
  };
  const chunksOf = (list: string[]): Chunk[] => list.map((text, seq) => ({ seq, ts: 1, stream: 'stdout', text }));
  fc.assert(
    fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 200 }), { maxLength: 20 }), (list) => {
      assert.deepEqual(texts(parseReportChunks(reportAsBytes(ID, chunksOf(list)))), texts(parseReportChunks({ jobId: ID, chunks: chunksOf(list) })));
    }),
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(), { maxLength: 10 }), (bytes, cuts) => {
      const ends = [...new Set(cuts.map((n) => n % (bytes.length + 1))), bytes.length].sort((a, b) => a - b);
      const sizes = ends.map((end, i) => end - (i === 0 ? 0 : ends[i - 1]));
      const report = { jobId: ID, chunks: sizes.map((size, seq) => ({ seq, ts: 1, stream: 'stdout', bytes: size })), bytes };
      assert.deepEqual(
        texts(parseReportChunks(report)),
        ends.map((end, i) => cleanText(new TextDecoder().decode(bytes.subarray(end - sizes[i], end)))),
      );
    }),
  );
  const report = (sizes: unknown[], bytes: unknown = Buffer.from('abcd'), more: object = {}) => ({ jobId: ID, chunks: sizes.map((size, seq) => ({ seq, ts: 1, stream: 'stdout', bytes: size, ...more })), bytes });
  assert.deepEqual(texts(parseReportChunks(report([1, 3], Uint8Array.of(0x61, 0xff, 0x00, 0x62)))), ['a', '\uFFFDb']);
  assert.match(refusal(parseReportChunks(report([1, 2]))), /^bytes: expected 3 bytes, as its chunks say, got 4/);
  assert.match(refusal(parseReportChunks(report([3, 2]))), /^chunks\[1\]\.bytes: expected a whole number from 0 to 1/);
  assert.match(refusal(parseReportChunks(report([1.5, 2.5]))), /^chunks\[0\]\.bytes: expected a whole number/);
  assert.match(refusal(parseReportChunks(report([4], [97, 98, 99, 100]))), /^bytes: expected bytes, got a list of 4/);
  assert.match(refusal(parseReportChunks(report([4], undefined, { text: 'abcd' }))), /^chunks\[0\]: expected its text in bytes only/);
  assert.match(refusal(parseReportChunks(report([LIMITS.chunkText + 1], Buffer.from('x'.repeat(LIMITS.chunkText + 1))))), /^chunks\[0\]\.bytes: expected at most \d+ characters/);
});

// The store deflates the bytes a chunk arrived as instead of encoding its text again (utf8Of): they
// must be its text's UTF-8 exactly, whatever came; and they are kept for text as reporters send it.
test('report:chunks of version 4: the bytes kept as a chunk\'s UTF-8 are exactly its text\'s', () => {
  const bom = [0xef, 0xbb, 0xbf];
  const piece = fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.constant(Uint8Array.from(bom)), fc.constant(Uint8Array.of(0)), fc.string({ unit: 'grapheme', maxLength: 20 }).map((t) => new TextEncoder().encode(t)));
  fc.assert(
    fc.property(fc.array(fc.array(piece, { maxLength: 6 }), { minLength: 1, maxLength: 8 }), (lists) => {
      const parts = lists.map((pieces) => Buffer.concat(pieces));
      const report = { jobId: ID, chunks: parts.map((part, seq) => ({ seq, ts: 1, stream: 'stdout', bytes: part.length })), bytes: Buffer.concat(parts) };
      const parsed = parseReportChunks(report);
      assert.ok(parsed.ok);
      parsed.value.chunks.forEach((chunk, i) => {
        const kept = utf8Of(chunk);
        if (kept) assert.ok(Buffer.from(chunk.text, 'utf8').equals(kept), `chunk ${i}`);
        const clean = isUtf8(parts[i]) && !parts[i].includes(0) && !parts[i].subarray(0, 3).equals(Buffer.from(bom));
        assert.equal(kept !== undefined, clean, `chunk ${i} kept exactly when it arrived as its text`);
      });
    }),
    { numRuns: 500 },
  );
  const text = 'déjà vu ✓ 🚀\n'.repeat(100);
  const parsed = parseReportChunks(reportAsBytes(ID, [{ seq: 0, ts: 1, stream: 'stdout', text }]));
  assert.ok(parsed.ok && utf8Of(parsed.value.chunks[0])?.length === Buffer.byteLength(text));
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
