import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import type { Chunk } from '../../../src/shared/jobs';
import { ChunkLog } from '../../../src/core/jobs/chunkLog';

const dir = mkdtempSync(path.join(os.tmpdir(), 'vmo-chunklog-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const line = (seq: number): Chunk => ({ seq, ts: 1_700_000_000_000 + seq, stream: seq % 7 === 0 ? 'stderr' : 'stdout', text: `line ${seq}\n` });
const bytes = (chunks: Chunk[]): number => chunks.reduce((sum, c) => sum + Buffer.byteLength(c.text), 0);

/** Reads the whole log back in pages of `pageBytes`. */
function readAll(log: ChunkLog, from: number, pageBytes: number): Chunk[] {
  const all: Chunk[] = [];
  for (let page = log.read(from, pageBytes); page.length > 0; page = log.read(page[page.length - 1].seq + 1, pageBytes)) {
    assert.ok(page.length === 1 || bytes(page) <= pageBytes, `page of ${bytes(page)} bytes`);
    all.push(...page);
  }
  return all;
}

test('100,000 one-line chunks: memory stays within budget, every chunk pages back in order', () => {
  const memoryBytes = 64 * 1024;
  const log = new ChunkLog({ memoryBytes, dir });
  const chunks = Array.from({ length: 100_000 }, (_, seq) => line(seq));
  for (let at = 0; at < chunks.length; at += 100) {
    log.append(chunks.slice(at, at + 100));
    const inMemory = log.read(log.spilled, Infinity);
    assert.ok(bytes(inMemory) <= memoryBytes, `${bytes(inMemory)} bytes in memory`);
  }
  assert.equal(log.nextSeq, 100_000);
  assert.ok(log.spilled > 90_000, `${log.spilled} spilled`);
  assert.deepEqual(readAll(log, 0, 16 * 1024), chunks);
  // A page that starts on disk and ends in memory.
  const boundary = log.read(log.spilled - 3, 1000);
  assert.deepEqual(boundary.slice(0, 6), chunks.slice(log.spilled - 3, log.spilled + 3));
  log.dispose();
});

test('a log that starts at the tail of a stored job spills and pages back by seq', () => {
  const log = new ChunkLog({ memoryBytes: 1024, dir, firstSeq: 5000 });
  const chunks = Array.from({ length: 1000 }, (_, i) => line(5000 + i));
  assert.throws(() => log.append([line(4999), line(5001)]), /Expected chunk 5000, got 5001/);
  for (let at = 0; at < chunks.length; at += 10) log.append(chunks.slice(at, at + 10));
  assert.equal(log.firstSeq, 5000);
  assert.equal(log.nextSeq, 6000);
  assert.ok(log.spilled > 800, `${log.spilled} spilled`);
  assert.deepEqual(readAll(log, 0, 4096), chunks);
  assert.deepEqual(log.read(5000 + log.spilled - 1, 22), chunks.slice(log.spilled - 1, log.spilled + 1));
  log.dispose();
});

test('tailStart gives the seq from which the last chunks hold about so many bytes', () => {
  const log = new ChunkLog({ dir, firstSeq: 10 });
  assert.equal(log.tailStart(100), 10);
  log.append([line(10), line(11), { seq: 12, ts: 0, stream: 'stdout', text: 'x'.repeat(50) }, line(13)]);
  assert.equal(log.tailStart(8), 13);
  assert.equal(log.tailStart(3), 13, 'at least the last chunk');
  assert.equal(log.tailStart(58), 12);
  assert.equal(log.tailStart(65), 12);
  assert.equal(log.tailStart(1000), 10);
  log.dispose();
});

test('lineTailStart gives the latest seq from which the chunks to the end hold more than so many line breaks', () => {
  const texts = fc.array(fc.stringMatching(/^[a\n\r]{0,12}$/), { maxLength: 40 });
  fc.assert(
    fc.property(texts, fc.nat(30), fc.nat(5), fc.nat(12), (list, lines, firstSeq, memoryBytes) => {
      const log = new ChunkLog({ dir, firstSeq, memoryBytes });
      log.append(list.map((text, i) => ({ seq: firstSeq + i, ts: 0, stream: 'stdout', text })));
      const breaksFrom = (i: number): number => list.slice(i).join('').split('\n').length - 1;
      let expected = 0;
      for (let i = 0; i < list.length; i++) if (breaksFrom(i) > lines) expected = i;
      assert.equal(log.lineTailStart(lines), firstSeq + expected);
      log.dispose();
    }),
  );
});

test('text of every kind round-trips through the spill file', () => {
  const log = new ChunkLog({ memoryBytes: 1, dir });
  const texts = ['a\r\nb\n', '', '\rprogress 50%', 'é€😀\n', '\u0000\u001b[31m\u2028\u2029\uFFFD\n', '"quoted" \\ back\\slash\n'];
  const chunks = texts.map((text, seq): Chunk => ({ seq, ts: seq, stream: 'system', text }));
  log.append(chunks);
  assert.equal(log.spilled, texts.length);
  assert.deepEqual(log.read(0, Infinity), chunks);
  log.dispose();
});

test('a page holds at least one chunk, even one larger than maxBytes', () => {
  const log = new ChunkLog({ memoryBytes: 10, dir });
  const big: Chunk = { seq: 0, ts: 0, stream: 'stdout', text: 'x'.repeat(1000) };
  log.append([big, line(1)]);
  assert.deepEqual(log.read(0, 10), [big]);
  assert.deepEqual(log.read(1, 10), [line(1)]);
  assert.deepEqual(log.read(2, 10), []);
  log.dispose();
});

test('a chunk held already is skipped; a gap throws', () => {
  const log = new ChunkLog({ dir });
  log.append([line(0), line(1)]);
  log.append([line(1), line(2)]);
  assert.equal(log.nextSeq, 3);
  assert.throws(() => log.append([line(5)]), /Expected chunk 3, got 5/);
  log.dispose();
});

test('the spill file is private to the user and removed by dispose', () => {
  const own = mkdtempSync(path.join(dir, 'own-'));
  const log = new ChunkLog({ memoryBytes: 10, dir: own });
  log.append([line(0), line(1), line(2)]);
  const files = readdirSync(own);
  assert.equal(files.length, 1);
  assert.equal(statSync(path.join(own, files[0])).mode & 0o777, 0o600);
  log.dispose();
  assert.deepEqual(readdirSync(own), []);
  assert.throws(() => log.read(0, 10), /disposed/);
});
