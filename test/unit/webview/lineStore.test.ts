import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { LineStore, MAX_OPEN_LINE, compactRuns } from '../../../webview/lib/lineStore';
import { chunk } from './helpers';

function texts(store: LineStore): string[] {
  const out: string[] = [];
  for (let no = store.firstNo; no < store.endNo; no++) out.push(store.text(no));
  return out;
}

function feed(...chunks: string[]): LineStore {
  const store = new LineStore({ maxLines: 1000 });
  for (const c of chunks) store.append(chunk(c));
  return store;
}

test('a line is what follows its last carriage return', () => {
  assert.deepEqual(texts(feed('10%\r20%\r100%\ndone\n')), ['100%', 'done']);
});

test('CRLF ends a line without erasing it', () => {
  assert.deepEqual(texts(feed('one\r\ntwo\r\n')), ['one', 'two']);
});

test('progress split across chunks merges into one line', () => {
  assert.deepEqual(texts(feed('10%\r2', '0%\r3', '0%', '\r100%\n')), ['100%']);
});

test('a chunk boundary between \\r and \\n is still CRLF', () => {
  assert.deepEqual(texts(feed('abc\r', '\ndef\n')), ['abc', 'def']);
});

test('a \\r at the end of a chunk keeps the text until new text comes', () => {
  const store = feed('50%\r');
  assert.deepEqual(texts(store), ['50%']);
  assert.equal(store.openNo, 0);
  store.append(chunk('60%'));
  assert.deepEqual(texts(store), ['60%']);
  store.append(chunk('\n'));
  assert.equal(store.openNo, -1);
});

// A pseudo-terminal ends every line with CRLF; such chunks take the fast path that splits on
// newlines. It must give what the escape scanner gives, wherever the chunks are cut. A reset
// (ESC [ m) in front of a chunk, which changes nothing here, sends it through the scanner.
test('text with CRLF, LF and lone CRs gives the same lines on the fast path as through the escape scanner', () => {
  const piece = fc.constantFrom('a', 'bc', ' ', '\t', '\n', '\r', '\r\n', '\r\r\n', '');
  fc.assert(
    fc.property(fc.array(fc.array(piece, { maxLength: 12 }).map((p) => p.join('')), { minLength: 1, maxLength: 8 }), (chunks) => {
      const fast = feed(...chunks);
      const scanned = feed(...chunks.map((c) => `\x1b[m${c}`));
      assert.deepEqual(texts(fast), texts(scanned));
      assert.equal(fast.openNo, scanned.openNo);
      for (let no = fast.firstNo; no < fast.endNo; no++) assert.deepEqual(fast.style(no), scanned.style(no));
    }),
    { numRuns: 2000 },
  );
});

test('escape codes before the last \\r still set the style of the text after it', () => {
  const store = feed('\x1b[32m50%\r100%\n');
  assert.deepEqual(texts(store), ['100%']);
  assert.equal(store.styles.get(store.style(0) as number).fg, 3);
});

test('the line being written shows at once and is updated in place', () => {
  const store = feed('first\npart');
  assert.deepEqual(texts(store), ['first', 'part']);
  store.append(chunk('ial\nnext\n'));
  assert.deepEqual(texts(store), ['first', 'partial', 'next']);
});

test('output of another stream ends the line being written', () => {
  const store = new LineStore({ maxLines: 100 });
  store.append(chunk('out without newline', 'stdout'));
  store.append(chunk('err line\n', 'stderr'));
  store.append(chunk(' more out\n', 'stdout'));
  assert.deepEqual(texts(store), ['out without newline', 'err line', ' more out']);
  assert.deepEqual([0, 1, 2].map((no) => store.stream(no)), [0, 1, 0]);
});

test('empty lines, tabs and trailing text', () => {
  assert.deepEqual(texts(feed('\n\na\tb\n\nlast')), ['', '', 'a\tb', '', 'last']);
});

test('lines keep the time and seq of the chunk that started them', () => {
  const store = new LineStore({ maxLines: 100 });
  store.append({ seq: 4, ts: 1000, stream: 'stdout', text: 'a\nb' });
  store.append({ seq: 5, ts: 2000, stream: 'stdout', text: 'c\nd\n' });
  assert.deepEqual([0, 1, 2].map((no) => [store.seq(no), store.ts(no)]), [
    [4, 1000],
    [4, 1000],
    [5, 2000],
  ]);
  assert.equal(store.lineOfSeq(5), 2);
  assert.equal(store.lineOfSeq(9), 3);
});

test('dropping old lines keeps whole chunks and never the line being written', () => {
  const store = new LineStore({ maxLines: 5 });
  let seq = 0;
  for (let i = 0; i < 4; i++) store.append({ seq: seq++, ts: 0, stream: 'stdout', text: `c${i}l0\nc${i}l1\nc${i}l2\n` });
  assert.equal(store.count, 12);
  const dropped = store.trim();
  // 7 over the limit; the 7th line dropped is in the middle of chunk 2, so all of chunk 2 goes.
  assert.equal(dropped, 9);
  assert.equal(store.firstSeq, 3);
  assert.deepEqual(texts(store), ['c3l0', 'c3l1', 'c3l2']);
  store.append({ seq, ts: 0, stream: 'stdout', text: 'open' });
  store.maxLines = 1;
  store.trim();
  assert.deepEqual(texts(store), ['open']);
});

test('a million lines across many blocks: append, drop, read back', () => {
  const store = new LineStore({ maxLines: 300_000 });
  let seq = 0;
  let n = 0;
  while (n < 1_000_000) {
    let text = '';
    for (let i = 0; i < 100; i++) text += `line ${n++}\n`;
    store.append({ seq: seq++, ts: 0, stream: 'stdout', text });
    store.trim();
  }
  assert.equal(store.count, 300_000);
  assert.equal(store.text(store.firstNo), `line ${store.firstNo}`);
  assert.equal(store.text(store.endNo - 1), 'line 999999');
  assert.equal(store.dropped, 700_000);
});

test('older chunks are put in front with their own numbers', () => {
  const store = new LineStore({ maxLines: 2 });
  store.append({ seq: 2, ts: 0, stream: 'stdout', text: 'c\nd\n' });
  const added = store.prepend([
    { seq: 0, ts: 0, stream: 'stdout', text: '\x1b[31ma\n' },
    { seq: 1, ts: 0, stream: 'stderr', text: 'b\n' },
  ]);
  assert.equal(added, 2);
  assert.equal(store.firstNo, -2);
  assert.deepEqual(texts(store), ['a', 'b', 'c', 'd']);
  // Kept beyond maxLines while the user reads them …
  assert.equal(store.trim(), 0);
  // … and dropped again once released.
  store.releaseOlder();
  assert.equal(store.trim(), 2);
  assert.deepEqual(texts(store), ['c', 'd']);
});

test('prepending into a store that dropped lines fills the first block from its end', () => {
  const store = new LineStore({ maxLines: 5000 });
  let text = '';
  for (let i = 0; i < 6000; i++) text += `n${i}\n`;
  store.append({ seq: 1, ts: 0, stream: 'stdout', text });
  store.maxLines = 10;
  store.trim();
  assert.equal(store.count, 0);
  store.append({ seq: 2, ts: 0, stream: 'stdout', text: 'x\ny\n' });
  store.prepend([{ seq: 1, ts: 0, stream: 'stdout', text: 'old1\nold2\n' }]);
  assert.deepEqual(texts(store), ['old1', 'old2', 'x', 'y']);
});

test('style runs are compacted', () => {
  assert.equal(compactRuns([0, 3], 5), 3);
  assert.deepEqual(compactRuns([0, 1, 2, 2, 4, 3], 6), [0, 1, 2, 2, 4, 3]);
  // Empty runs and equal neighbours disappear.
  assert.equal(compactRuns([0, 1, 0, 2, 3, 2, 5, 1], 5), 2);
});

test('a line that never ends is cut, in linear time', () => {
  const store = new LineStore({ maxLines: 1000 });
  const piece = 'x'.repeat(4096);
  const start = performance.now();
  for (let i = 0; i < 2500; i++) store.append(chunk(piece));
  store.append(chunk('\n'));
  assert.ok(performance.now() - start < 2000);
  const lengths = texts(store).map((t) => t.length);
  assert.equal(lengths.reduce((a, b) => a + b, 0), 4096 * 2500);
  assert.ok(lengths.every((n) => n <= MAX_OPEN_LINE));
  assert.equal(lengths[0], MAX_OPEN_LINE);
});
