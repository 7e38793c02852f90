import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Chunk } from '../../../src/shared/jobs';
import { newestRows } from '../../../webview/lib/newestRows';

const chunk = (seq: number, text: string, stream: Chunk['stream'] = 'stdout'): Chunk => ({ seq, ts: 0, stream, text });
const texts = (rows: { segments: { text: string }[] }[]) => rows.map((r) => r.segments.map((s) => s.text).join(''));

test('the newest output is cut to the rows that fit, the last line included while it is being written', () => {
  const chunks = [chunk(7, 'tail of an older line\none\ntwo\n'), chunk(8, 'three\nfou'), chunk(9, 'r')];
  const newest = newestRows(chunks, { streams: [true, true, true], timestamps: false, rows: 3 });
  assert.deepEqual(texts(newest.rows), ['two', 'three', 'four']);
  assert.equal(newest.lastSeq, 9);
});

test('the stream filter applies, and colours are kept', () => {
  const chunks = [chunk(0, 'out 1\n'), chunk(1, 'err 1\n', 'stderr'), chunk(2, '\u001b[31mred\u001b[0m\n')];
  const newest = newestRows(chunks, { streams: [true, false, true], timestamps: false, rows: 10 });
  assert.deepEqual(texts(newest.rows), ['out 1', 'red']);
  assert.ok(newest.rows[1].segments[0].css.className !== '' || newest.rows[1].segments[0].css.color !== undefined, 'red stays red');
});
