// The reporter against a stand-in hub that leaves one report unanswered: the report counts as lost,
// the reporter reconnects and sends again from what was not stored, in order.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, test } from 'node:test';
import { Server } from 'socket.io';
import { HubReporter } from '../../../src/core/hub/hubReporter';
import type { Chunk, JobResult } from '../../../src/shared/jobs';
import { lines, newJob, tempDir, until } from '../server/helpers';

const cleanups: (() => void | Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

test('an unanswered report counts as lost: the reporter reconnects and sends everything once more, in order', { timeout: 60_000 }, async () => {
  const server = http.createServer();
  const io = new Server(server);
  const stored: number[] = [];
  let status = 'running';
  let connections = 0;
  let swallowed = 0;
  io.of('/jobs').on('connection', (socket) => {
    connections++;
    socket.on('report:started', (_job: unknown, ack: (a: unknown) => void) => ack({ ok: true }));
    socket.on('report:chunks', (report: { chunks: Chunk[] }, ack: (a: unknown) => void) => {
      // The second batch is never answered (and not stored).
      if (connections === 1 && ++swallowed === 2) return;
      for (const c of report.chunks) if (!stored.includes(c.seq)) stored.push(c.seq);
      ack({ ok: true, accepted: report.chunks.length });
    });
    socket.on('report:finished', (_r: { result: JobResult }, ack: (a: unknown) => void) => {
      status = 'success';
      ack({ ok: true });
    });
    socket.on('jobs:get', (_id: string, ack: (a: unknown) => void) => ack({ ok: true, job: { status, ...(stored.length > 0 ? { lastSeq: stored.length - 1 } : {}) } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => io.close(() => resolve())));
  const temp = tempDir();
  cleanups.push(temp.remove);

  const reporter = new HubReporter({
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    token: 'operator-token-0123456789abcdef',
    reporterId: 'window-ack',
    spoolDir: path.join(temp.dir, 'spool'),
    ackTimeoutMs: 300,
    confirmIntervalMs: 50,
    batchChunks: 100,
  });
  cleanups.push(() => reporter.close(100));
  await until(() => reporter.connected, 10_000, 'the reporter to connect');
  const job = newJob();
  reporter.started(job);
  for (let seq = 0; seq < 1000; seq += 10) reporter.chunks(job.id, lines(seq, 10));
  reporter.finished(job.id, { status: 'success', exitCode: 0, signal: null, durationMs: 1, finishedAt: Date.now() });
  assert.equal(await reporter.idle(20_000), true);
  assert.ok(connections >= 2, 'reconnected after the unanswered report');
  assert.deepEqual(stored, Array.from({ length: 1000 }, (_, i) => i));
  assert.equal(status, 'success');
  await until(() => reporter.pendingJobs.length === 0, 5000, 'the job to be confirmed');
});
