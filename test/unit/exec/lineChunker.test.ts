import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPORT_MAX_CHARS } from '../../../src/shared/hubProtocol';
import type { Chunk } from '../../../src/shared/jobs';
import { LineChunker, type ChunkingOptions } from '../../../src/core/exec/lineChunker';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function chunker(options?: ChunkingOptions): { chunks: Chunk[]; c: LineChunker } {
  const chunks: Chunk[] = [];
  const c = new LineChunker((chunk) => chunks.push(chunk), options);
  return { chunks, c };
}

const joined = (chunks: Chunk[]): string => chunks.map((c) => c.text).join('');

function assertGapless(chunks: Chunk[]): void {
  assert.deepEqual(
    chunks.map((c) => c.seq),
    chunks.map((_, i) => i),
  );
}

test('a character split across writes stays whole', () => {
  const { chunks, c } = chunker();
  for (const byte of Buffer.from('é€😀 x\n')) c.write('stdout', Uint8Array.of(byte));
  c.end();
  assert.equal(joined(chunks), 'é€😀 x\n');
  assert.ok(!joined(chunks).includes('\uFFFD'));
});

test('a partial line flushed mid-character keeps the character whole', { timeout: 5000 }, async () => {
  const { chunks, c } = chunker({ flushMs: 5 });
  const euro = Buffer.from('€');
  c.write('stdout', Buffer.concat([Buffer.from('ab'), euro.subarray(0, 1)]));
  while (chunks.length === 0) await sleep(5);
  c.write('stdout', Buffer.concat([euro.subarray(1), Buffer.from('\n')]));
  c.end();
  assert.deepEqual(
    chunks.map((x) => x.text),
    ['ab', '€\n'],
  );
});

test('invalid bytes become U+FFFD and binary garbage never throws', () => {
  const { chunks, c } = chunker({ maxChunkChars: 1000 });
  c.write('stdout', Buffer.from([0x61, 0xff, 0x0a, 0xe2, 0x82]));
  let seed = 42;
  for (let i = 0; i < 200; i++) {
    const bytes = new Uint8Array(997);
    for (let j = 0; j < bytes.length; j++) bytes[j] = (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    c.write('stdout', bytes);
  }
  c.end();
  assert.equal(chunks[0].text.slice(0, 3), 'a\uFFFD\n');
  for (const chunk of chunks) {
    assert.ok(!LONE_SURROGATE.test(chunk.text), `chunk ${chunk.seq} holds a lone surrogate`);
    assert.ok(chunk.text.length <= 1000);
  }
  assertGapless(chunks);
});

test('a flood of 1,000,000 lines makes few chunks of at most REPORT_MAX_CHARS, cut after a newline', () => {
  const { chunks, c } = chunker();
  const lines = Array.from({ length: 1_000_000 }, (_, i) => `line ${i}\n`);
  const text = lines.join('');
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length; at += 65536) c.write('stdout', bytes.subarray(at, at + 65536));
  c.end();
  // Full but for the end of the line cut at.
  assert.ok(chunks.length <= Math.ceil(text.length / (REPORT_MAX_CHARS - 20)), `${chunks.length} chunks`);
  for (const chunk of chunks) {
    assert.ok(chunk.text.length <= REPORT_MAX_CHARS);
    assert.ok(chunk.text.endsWith('\n'));
  }
  assertGapless(chunks);
  assert.equal(joined(chunks), text);
});

test('a line longer than a chunk is split, never inside a surrogate pair', () => {
  const { chunks, c } = chunker({ maxChunkChars: 7 });
  c.write('stdout', Buffer.from('😀'.repeat(20) + '\n'));
  c.end();
  assert.equal(joined(chunks), '😀'.repeat(20) + '\n');
  for (const chunk of chunks) {
    assert.ok(chunk.text.length <= 7);
    assert.ok(!LONE_SURROGATE.test(chunk.text));
  }
});

test('complete lines wait flushMs, a partial line up to twice as long', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000 });
  const { chunks, c } = chunker({ flushMs: 25 });
  c.write('stdout', Buffer.from('one line\n'));
  t.mock.timers.tick(24);
  assert.equal(chunks.length, 0);
  t.mock.timers.tick(1);
  assert.deepEqual(chunks, [{ seq: 0, ts: 1_000, stream: 'stdout', text: 'one line\n' }]);

  c.write('stdout', Buffer.from('Password: '));
  t.mock.timers.tick(25);
  assert.equal(chunks.length, 1, 'held through one flush');
  t.mock.timers.tick(25);
  assert.deepEqual(chunks[1], { seq: 1, ts: 1_025, stream: 'stdout', text: 'Password: ' });
  c.end();
});

test('\\r progress updates are kept and shown while the line is still open', { timeout: 5000 }, async () => {
  const { chunks, c } = chunker({ flushMs: 10 });
  for (const percent of [10, 20, 30]) {
    c.write('stdout', Buffer.from(`\rprogress ${percent}%`));
    while (!joined(chunks).endsWith(`${percent}%`)) await sleep(5);
  }
  c.write('stdout', Buffer.from('\n'));
  c.end();
  assert.deepEqual(
    chunks.map((x) => x.text),
    ['\rprogress 10%', '\rprogress 20%', '\rprogress 30%', '\n'],
  );
});

test('lines of stdout and stderr keep their order; a note comes after pending output', () => {
  const { chunks, c } = chunker();
  c.write('stdout', Buffer.from('a\n'));
  c.write('stderr', Buffer.from('b\n'));
  c.write('stdout', Buffer.from('c\nd'));
  c.note('note\n');
  c.end();
  assert.deepEqual(
    chunks.map((x) => [x.seq, x.stream, x.text]),
    [
      [0, 'stdout', 'a\n'],
      [1, 'stderr', 'b\n'],
      [2, 'stdout', 'c\nd'],
      [3, 'system', 'note\n'],
    ],
  );
});

test('end() emits what the decoder held back', () => {
  const { chunks, c } = chunker();
  c.write('stderr', Buffer.from([0x67, 0xf0, 0x9f]));
  c.end();
  assert.deepEqual(
    chunks.map((x) => [x.stream, x.text]),
    [['stderr', 'g\uFFFD']],
  );
});

// Pieces are random bytes, text (with newlines), or a note, which cuts the output where it is, in
// the middle of a character too; chunks are decoded at once or as a stream, as their cuts allow.
test('any bytes, read in any pieces, come out as the whole stream decoded, in chunks within the limit', () => {
  const text = fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => new TextEncoder().encode(s));
  const piece = fc.oneof(fc.uint8Array({ maxLength: 40 }), text, fc.constant('note' as const));
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 30 }), fc.integer({ min: 4, max: 64 }), (pieces, limit) => {
      const { chunks, c } = chunker({ maxChunkChars: limit });
      for (const p of pieces) {
        if (p === 'note') c.note('.');
        else c.write('stdout', p);
      }
      c.end();
      const all = Buffer.concat(pieces.filter((p) => p !== 'note'));
      const output = chunks.filter((x) => x.stream === 'stdout');
      assert.equal(joined(output), new TextDecoder('utf-8', { ignoreBOM: true }).decode(all));
      for (const chunk of output) assert.ok(chunk.text.length > 0 && chunk.text.length <= limit);
      assertGapless(chunks);
    }),
    { numRuns: 500 },
  );
});
