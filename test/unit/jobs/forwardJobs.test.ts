import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forwardJobs } from '../../../src/core/jobs/forwardJobs';
import { InMemoryRecorder } from '../../../src/core/jobs/inMemoryRecorder';
import type { JobRecorder } from '../../../src/core/jobs/recorder';
import type { JobInfo } from '../../../src/shared/jobs';

test('start, chunks and end reach the other recorder once each, in order; stop ends it', () => {
  const seen: string[] = [];
  const to: JobRecorder = {
    started: (job) => seen.push(`started ${job.id} ${job.status}`),
    chunks: (id, chunks) => seen.push(`chunks ${id} ${chunks.map((c) => c.seq).join(',')}`),
    finished: (id, result) => seen.push(`finished ${id} ${result.status} ${String(result.exitCode)}`),
  };
  const from = new InMemoryRecorder();
  const { stop } = forwardJobs(from, to);
  const job: JobInfo = { id: 'a', kind: 'target', mode: 'console', title: 't', argv: ['make'], hostname: 'h', startedAt: 1, status: 'running' };
  from.started(job);
  from.chunks('a', [{ seq: 0, ts: 1, stream: 'stdout', text: 'x\n' }]);
  from.chunks('a', [{ seq: 1, ts: 2, stream: 'stdout', text: 'y\n' }]);
  from.finished('a', { status: 'failed', exitCode: 2, signal: null, durationMs: 5, finishedAt: 6 });
  stop();
  from.started({ ...job, id: 'b' });
  assert.deepEqual(seen, ['started a running', 'chunks a 0', 'chunks a 1', 'finished a failed 2']);
  from.dispose();
});

test('jobs recorded before forwarding starts are passed on, with their output; their new output and end follow it', async () => {
  const seen: string[] = [];
  const to: JobRecorder = {
    started: (job) => seen.push(`started ${job.id}`),
    chunks: (id, chunks) => seen.push(`chunks ${id} ${chunks.map((c) => c.seq).join(',')}`),
    finished: (id, result) => seen.push(`finished ${id} ${result.status}`),
  };
  const from = new InMemoryRecorder();
  const base: JobInfo = { id: 'old', kind: 'target', mode: 'console', title: 't', argv: ['make'], hostname: 'h', startedAt: 1, status: 'running' };
  from.started(base);
  from.chunks('old', [{ seq: 0, ts: 1, stream: 'stdout', text: 'a\n' }, { seq: 1, ts: 1, stream: 'stdout', text: 'b\n' }]);
  from.finished('old', { status: 'success', exitCode: 0, signal: null, durationMs: 1, finishedAt: 2 });
  from.started({ ...base, id: 'live' });
  from.chunks('live', [{ seq: 0, ts: 3, stream: 'stdout', text: 'c\n' }]);
  const { stop, caughtUp } = forwardJobs(from, to);
  from.chunks('live', [{ seq: 1, ts: 4, stream: 'stdout', text: 'd\n' }]);
  from.finished('live', { status: 'failed', exitCode: 1, signal: null, durationMs: 3, finishedAt: 5 });
  await caughtUp;
  from.started({ ...base, id: 'new' });
  from.chunks('new', [{ seq: 0, ts: 6, stream: 'stdout', text: 'e\n' }]);
  stop();
  assert.deepEqual(seen, [
    'started old',
    'started live',
    'chunks old 0,1',
    'finished old success',
    'chunks live 0,1',
    'finished live failed',
    'started new',
    'chunks new 0',
  ]);
  from.dispose();
});

test('the output of a job recorded before forwarding starts is passed on a page at a time, in order, letting other work run between pages', async () => {
  const pages: number[][] = [];
  let otherWorkAfterPages = -1;
  const to: JobRecorder = { started: () => undefined, chunks: (_id, chunks) => pages.push(chunks.map((c) => c.seq)), finished: () => undefined };
  const from = new InMemoryRecorder();
  from.started({ id: 'big', kind: 'target', mode: 'console', title: 't', argv: ['make'], hostname: 'h', startedAt: 1, status: 'running' });
  // 3.2 MB: about a MiB a page.
  for (let seq = 0; seq < 100; seq++) from.chunks('big', [{ seq, ts: seq, stream: 'stdout', text: `${seq} ${'x'.repeat(32_000)}\n` }]);
  const { stop, caughtUp } = forwardJobs(from, to);
  setImmediate(() => (otherWorkAfterPages = pages.length));
  await caughtUp;
  stop();
  assert.ok(pages.length >= 3 && pages.length <= 5, `${pages.length} pages`);
  assert.ok(otherWorkAfterPages >= 1 && otherWorkAfterPages < pages.length, `other work ran after ${otherWorkAfterPages} of ${pages.length} pages`);
  assert.deepEqual(pages.flat(), Array.from({ length: 100 }, (_, i) => i));
  from.dispose();
});

test('a job that waited for its VM is reported started as queued, then again as running when it begins; one canceled while queued just ends', () => {
  const seen: string[] = [];
  const to: JobRecorder = {
    started: (job) => seen.push(`started ${job.id} ${job.status} ${job.startedAt}`),
    chunks: (id, chunks) => seen.push(`chunks ${id} ${chunks.map((c) => c.seq).join(',')}`),
    finished: (id, result) => seen.push(`finished ${id} ${result.status}`),
  };
  const from = new InMemoryRecorder();
  const { stop } = forwardJobs(from, to);
  const job: JobInfo = { id: 'q', kind: 'target', mode: 'console', title: 't', argv: ['make'], vm: 'lab/a', hostname: 'h', startedAt: 1, status: 'queued' };
  from.started(job);
  from.began('q', 5);
  from.began('q', 9);
  from.chunks('q', [{ seq: 0, ts: 6, stream: 'stdout', text: 'x\n' }]);
  from.finished('q', { status: 'success', exitCode: 0, signal: null, durationMs: 3, finishedAt: 8 });
  from.started({ ...job, id: 'gone' });
  from.finished('gone', { status: 'canceled', exitCode: null, signal: null, durationMs: 0, finishedAt: 2 });
  stop();
  assert.deepEqual(seen, ['started q queued 1', 'started q running 5', 'chunks q 0', 'finished q success', 'started gone queued 1', 'finished gone canceled']);
  from.dispose();
});

test('stopping while recorded output is passed on passes on no more of it, nor its end', async () => {
  const seen: string[] = [];
  const to: JobRecorder = {
    started: (job) => seen.push(`started ${job.id}`),
    chunks: (id) => seen.push(`chunks ${id}`),
    finished: (id) => seen.push(`finished ${id}`),
  };
  const from = new InMemoryRecorder();
  from.started({ id: 'big', kind: 'target', mode: 'console', title: 't', argv: ['make'], hostname: 'h', startedAt: 1, status: 'running' });
  for (let seq = 0; seq < 100; seq++) from.chunks('big', [{ seq, ts: seq, stream: 'stdout', text: `${seq} ${'x'.repeat(32_000)}\n` }]);
  from.finished('big', { status: 'success', exitCode: 0, signal: null, durationMs: 1, finishedAt: 2 });
  const { stop, caughtUp } = forwardJobs(from, to);
  stop();
  await caughtUp;
  assert.deepEqual(seen, ['started big', 'chunks big']);
  from.dispose();
});
