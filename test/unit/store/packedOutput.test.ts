// Deflated chunks: what the store keeps reads back as the same text, and a packed chunk owns
// exactly its bytes, since a view crosses to PGlite's thread with the whole buffer behind it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { pack, unpack } from '../../../src/core/store/packedOutput';

const repetitive = fc
  .tuple(fc.string({ unit: 'grapheme', maxLength: 120 }), fc.integer({ min: 1, max: 2000 }))
  .map(([line, times]) => `${line}\n`.repeat(times));
// Text as the store is given it: whole code points (cleanText has replaced lone surrogates), short
// enough to stay text or long enough to be deflated.
const texts = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.string({ unit: 'grapheme', minLength: 1400, maxLength: 6000 }), repetitive);

test('what pack keeps unpacks to the same text, and packed bytes own their buffer', () => {
  fc.assert(
    fc.property(texts, (text) => {
      const stored = pack(text);
      if ('text' in stored) {
        assert.equal(unpack(stored.text, null), text);
        return;
      }
      assert.equal(stored.size, Buffer.byteLength(text));
      assert.equal(stored.packed.byteOffset, 0);
      assert.equal(stored.packed.buffer.byteLength, stored.packed.byteLength);
      assert.equal(unpack(null, stored.packed), text);
    }),
  );
});

test('a packed chunk of a build log crosses to another thread as its own bytes', async () => {
  const line = '0000001 @1733500000000.1 cc -O2 -c src/module.c -o build/module.o -Wall -Wextra -fPIC\n';
  const stored = pack(line.repeat(400));
  assert.ok('packed' in stored);
  const worker = new Worker("require('node:worker_threads').parentPort.on('message', (b) => require('node:worker_threads').parentPort.postMessage(b.buffer.byteLength))", { eval: true });
  try {
    const received = new Promise<number>((resolve) => worker.once('message', resolve));
    worker.postMessage(stored.packed);
    assert.equal(await received, stored.packed.byteLength);
    assert.ok(stored.packed.byteLength < 4096, `a build log deflates well: ${stored.packed.byteLength} bytes`);
  } finally {
    await worker.terminate();
  }
});
