import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Chunk } from '../../../src/shared/jobs';
import { HeldOutput } from '../../../webview/console/heldOutput';

const chunk = (seq: number, text: string): Chunk => ({ seq, ts: 0, stream: 'stdout', text });

// Whatever comes while the view is paused, what it takes over on resume accounts for every
// character it was sent (so no credit is lost), and holds exactly the output after the last skip.
test('held output: on resume, the last skip and the output after it, with every dropped character counted', () => {
  const event = fc.record({ skip: fc.boolean(), texts: fc.array(fc.string({ maxLength: 8 }), { minLength: 1, maxLength: 4 }) });
  fc.assert(
    fc.property(fc.array(event, { maxLength: 12 }), (events) => {
      const held = new HeldOutput();
      let seq = 0;
      let sent = 0;
      let afterLastSkip: Chunk[] = [];
      let skipped = false;
      for (const e of events) {
        const chunks = e.texts.map((text) => chunk(seq++, text));
        sent += chunks.reduce((n, c) => n + c.text.length, 0);
        if (e.skip) {
          held.skip(chunks);
          [afterLastSkip, skipped] = [chunks, true];
        } else {
          held.append(chunks);
          afterLastSkip = afterLastSkip.concat(chunks);
        }
      }
      const released = held.release();
      assert.deepEqual(released.chunks, afterLastSkip);
      assert.equal(released.skippedChars === null, !skipped, 'a skip is reported only when one came');
      assert.equal((released.skippedChars ?? 0) + released.chunks.reduce((n, c) => n + c.text.length, 0), sent);
      assert.deepEqual(held.release(), { skippedChars: null, chunks: [] }, 'released once');
    }),
  );
});
