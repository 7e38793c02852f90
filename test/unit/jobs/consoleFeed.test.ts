import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConsoleFeed } from '../../../src/core/jobs/consoleFeed';
import { InMemoryRecorder } from '../../../src/core/jobs/inMemoryRecorder';
import type { Chunk, JobInfo } from '../../../src/shared/jobs';
import type { HostToConsoleMessage } from '../../../src/shared/protocol';

const job: JobInfo = { id: 'j1', kind: 'target', mode: 'console', title: 'web build', argv: ['make'], hostname: 'h', startedAt: 1, status: 'running' };
const line = (seq: number, size = 1000): Chunk => ({ seq, ts: seq, stream: 'stdout', text: `${String(seq).padStart(6, '0')}${'x'.repeat(size - 7)}\n` });

function setup(chunks: number, tailChunks = 50) {
  const recorder = new InMemoryRecorder({ memoryBytesPerJob: 64 * 1024 });
  recorder.started(job);
  for (let i = 0; i < chunks; i++) recorder.chunks(job.id, [line(i)]);
  const sent: HostToConsoleMessage[] = [];
  const feed = new ConsoleFeed(recorder, (m) => sent.push(m), job.id, { maxLines: () => 1000, tailChunks, frameMs: 1 });
  const appended = () => sent.flatMap((m) => (m.type === 'console/append' ? m.chunks : []));
  return { recorder, feed, sent, appended };
}

test('nothing is sent before ready; then init, status and the tail', () => {
  const { feed, sent, appended, recorder } = setup(100);
  feed.chunksAdded(job.id);
  assert.equal(sent.length, 0);
  feed.ready(10_000);
  assert.deepEqual(sent.slice(0, 2).map((m) => m.type), ['console/init', 'console/status']);
  assert.equal((sent[0] as { canFetchOlder: boolean }).canFetchOlder, true);
  assert.equal(appended()[0].seq, 50, 'the last 50 chunks');
  feed.dispose();
  recorder.dispose();
});

test('at most the credit window is in flight; credits release more, in order, without gaps', async () => {
  const { feed, appended, recorder } = setup(400, 1000);
  feed.ready(5_000);
  const inFlight = () => appended().reduce((n, c) => n + c.text.length, 0);
  assert.ok(inFlight() <= 5_000 + 64 * 1024 && appended().length < 400, 'held back');
  for (let i = 0; i < 100 && appended().length < 400; i++) {
    feed.credit(inFlight());
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.deepEqual(appended().map((c) => c.seq), Array.from({ length: 400 }, (_, i) => i));
  feed.dispose();
  recorder.dispose();
});

test('older chunks come back before the requested seq, with hasMore', () => {
  const { feed, sent, recorder } = setup(100);
  feed.ready(1_000_000);
  feed.older(50, 5_000);
  const older = sent.find((m) => m.type === 'console/older');
  assert.ok(older && older.type === 'console/older');
  assert.deepEqual(older.chunks.map((c) => c.seq), [45, 46, 47, 48, 49]);
  assert.equal(older.hasMore, true);
  feed.older(2, 1_000_000);
  const last = sent.filter((m) => m.type === 'console/older').pop();
  assert.ok(last && last.type === 'console/older');
  assert.deepEqual([last.chunks.map((c) => c.seq), last.hasMore], [[0, 1], false]);
  feed.dispose();
  recorder.dispose();
});

test('a paused console is sent nothing; switching jobs restarts it', () => {
  const { feed, sent, recorder } = setup(5);
  feed.ready(1_000_000);
  feed.pause();
  const before = sent.length;
  recorder.chunks(job.id, [line(5)]);
  feed.chunksAdded(job.id);
  feed.jobChanged({ ...job, status: 'success' });
  assert.equal(sent.length, before);
  recorder.started({ ...job, id: 'j2' });
  feed.ready(1_000_000);
  feed.switchTo('j2');
  const inits = sent.filter((m) => m.type === 'console/init');
  assert.equal(inits.length, 3);
  feed.dispose();
  recorder.dispose();
});
