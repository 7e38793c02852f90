import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { Chunk, JobInfo, JobResult } from '../../../src/shared/jobs';
import { startJob } from '../../../src/core/exec/startJob';
import { InMemoryRecorder } from '../../../src/core/jobs/inMemoryRecorder';
import { targetJobInfo } from '../../../src/core/jobs/jobInfo';

const dir = mkdtempSync(path.join(os.tmpdir(), 'vmo-recorder-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const job = (target: string): JobInfo =>
  targetJobInfo({ alias: 'web', target, args: [], command: { file: 'make', args: ['-C', '/srv/web', target] }, cwd: '/srv/web', mode: 'console' });
const result = (status: JobResult['status'], exitCode: number | null): JobResult => ({ status, exitCode, signal: null, durationMs: 5, finishedAt: Date.now() });

test('targetJobInfo: a new id, this machine, the argv as spawned, status running', () => {
  const before = Date.now();
  const info = targetJobInfo({ alias: 'web', target: 'build', args: ['V=1'], command: { file: 'web', args: ['build', 'V=1'] }, cwd: '/srv/web', mode: 'terminal' });
  assert.match(info.id, UUID);
  assert.notEqual(info.id, job('build').id);
  assert.deepEqual(
    { ...info, id: '', startedAt: 0 },
    { id: '', kind: 'target', mode: 'terminal', title: 'web build', argv: ['web', 'build', 'V=1'], cwd: '/srv/web', alias: 'web', target: 'build', args: ['V=1'], hostname: os.hostname(), startedAt: 0, status: 'running' },
  );
  assert.ok(info.startedAt >= before && info.startedAt <= Date.now());
});

test('started, chunks and finished are kept and announced', () => {
  const recorder = new InMemoryRecorder({ spillDir: dir });
  const events: string[] = [];
  recorder.on('job', (info) => events.push(`job ${info.target} ${info.status}`));
  recorder.on('chunks', (_id, chunks) => events.push(`chunks ${chunks.length}`));
  const info = job('build');
  recorder.started(info);
  const chunks: Chunk[] = [
    { seq: 0, ts: 1, stream: 'stdout', text: 'cc a.c\n' },
    { seq: 1, ts: 2, stream: 'stderr', text: 'warning\n' },
  ];
  recorder.chunks(info.id, chunks);
  recorder.finished(info.id, result('failed', 2));
  assert.deepEqual(events, ['job build running', 'chunks 2', 'job build failed']);
  assert.deepEqual(recorder.get(info.id), { ...info, ...result('failed', 2), finishedAt: recorder.get(info.id)!.finishedAt });
  assert.deepEqual(recorder.read(info.id, 0, 1000), chunks);
  assert.deepEqual(recorder.read(info.id, 1, 1000), [chunks[1]]);
  recorder.dispose();
});

test('reports about an unknown job are ignored', () => {
  const recorder = new InMemoryRecorder({ spillDir: dir });
  recorder.chunks('nope', [{ seq: 0, ts: 0, stream: 'stdout', text: 'x' }]);
  recorder.finished('nope', result('success', 0));
  assert.deepEqual(recorder.list(), []);
  assert.deepEqual(recorder.read('nope', 0, 10), []);
  recorder.dispose();
});

test('beyond maxJobs the oldest finished jobs are forgotten, running ones kept', () => {
  const recorder = new InMemoryRecorder({ maxJobs: 2, spillDir: dir });
  const removed: string[] = [];
  recorder.on('removed', (id) => removed.push(id));
  const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(job);
  recorder.started(a);
  recorder.started(b);
  recorder.finished(b.id, result('success', 0));
  recorder.started(c);
  // a is running, so b goes.
  assert.deepEqual(removed, [b.id]);
  assert.deepEqual(recorder.list().map((j) => j.target), ['a', 'c']);
  recorder.started(d);
  assert.deepEqual(recorder.list().map((j) => j.target), ['a', 'c', 'd']);
  recorder.finished(a.id, result('canceled', null));
  assert.deepEqual(recorder.list().map((j) => j.target), ['c', 'd']);
  assert.deepEqual(removed, [b.id, a.id]);
  recorder.dispose();
});

test('a real job of 100,000 lines is recorded with bounded memory and pages back whole', { timeout: 20_000 }, async () => {
  const own = mkdtempSync(path.join(dir, 'own-'));
  const recorder = new InMemoryRecorder({ memoryBytesPerJob: 64 * 1024, spillDir: own });
  const info = targetJobInfo({ alias: 'demo', target: 'lines', args: [], command: { file: process.execPath, args: [path.join(__dirname, '../../fixtures/programs/lines.js'), '100000'] }, mode: 'console' });
  recorder.started(info);
  const running = startJob({ argv: info.argv, usePty: false }, { onChunk: (chunk) => recorder.chunks(info.id, [chunk]) });
  recorder.finished(info.id, await running.done);
  assert.equal(recorder.get(info.id)?.status, 'success');
  assert.equal(readdirSync(own).length, 1);

  let text = '';
  let next = 0;
  for (let page = recorder.read(info.id, 0, 32 * 1024); page.length > 0; page = recorder.read(info.id, next, 32 * 1024)) {
    assert.equal(page[0].seq, next);
    text += page.map((c) => c.text).join('');
    next = page[page.length - 1].seq + 1;
  }
  assert.equal(text, Array.from({ length: 100_000 }, (_, i) => `line ${i}\n`).join(''));
  recorder.dispose();
  assert.deepEqual(readdirSync(own), []);
});
