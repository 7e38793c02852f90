import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chunksToText } from '../../../src/core/jobs/textExport';
import type { Chunk } from '../../../src/shared/jobs';

const chunk = (seq: number, text: string, stream: Chunk['stream'] = 'stdout'): Chunk => ({ seq, ts: Date.UTC(2026, 0, 1, 0, 0, seq), stream, text });

test('escape sequences go, progress lines keep what they finally showed, lines span chunks', () => {
  const chunks = [
    chunk(0, '$ make build\n', 'system'),
    chunk(1, '\x1b[31mred\x1b[0m line\r\nprogress 10%\rprogress 50%'),
    chunk(2, '\rprogress 100%\ndone\n'),
    chunk(3, 'warning\n', 'stderr'),
  ];
  assert.equal(
    chunksToText(chunks, { streams: ['stdout', 'stderr', 'system'], timestamps: false }),
    '$ make build\nred line\nprogress 100%\ndone\nwarning\n',
  );
  assert.equal(chunksToText(chunks, { streams: ['stderr'], timestamps: false }), 'warning\n');
  assert.equal(chunksToText([chunk(5, 'a\n')], { streams: ['stdout'], timestamps: true }), '2026-01-01T00:00:05.000Z a\n');
  assert.equal(chunksToText([], { streams: ['stdout'], timestamps: false }), '');
  assert.equal(chunksToText([chunk(0, 'no newline')], { streams: ['stdout'], timestamps: false }), 'no newline\n');
});
