// The reporter against a stand-in hub that, like the real one (src/server/io.ts), handles the
// reports of one socket one after another, in the order they came, and stores chunks idempotently
// by seq: a report it holds back holds back every report behind it. It says hello with a version
// when given one, as a hub of version 4 does, and says nothing, as an older one, otherwise.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, test } from 'node:test';
import { Server, type Socket } from 'socket.io';
import { HubReporter } from '../../../src/core/hub/hubReporter';
import { BYTES_REPORT_MAX_CHARS, REPORT_MAX_CHARS, type ReportChunkBytes, type ReportChunks } from '../../../src/shared/hubProtocol';
import type { Chunk, JobResult } from '../../../src/shared/jobs';
import { lines, newJob, tempDir, until } from '../server/helpers';

const cleanups: (() => void | Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** What the stand-in stored, and how its connections went. */
interface StandIn {
  url: string;
  /** Seqs in the order they were first stored. */
  stored: number[];
  status: string;
  connections: number;
  /** Most reports of one connection received and not yet answered at once. */
  mostUnanswered: number;
  /** Each chunk's text as it came, by seq. */
  texts: Map<number, string>;
  /** Of each report of chunks: how its text came, and how many characters it held. */
  reports: { as: 'text' | 'bytes'; chars: number }[];
}

/** What the stand-in does with a report of connection `n` before it answers; a promise that never settles leaves it (and all behind it) unanswered. */
type Hold = (name: string, n: number, socket: Socket) => Promise<void> | void;

async function standIn(hold: Hold, hello?: number): Promise<StandIn> {
  const server = http.createServer();
  const io = new Server(server);
  const state: StandIn = { url: '', stored: [], status: 'running', connections: 0, mostUnanswered: 0, texts: new Map(), reports: [] };
  const seen = new Set<number>();
  io.of('/jobs').on('connection', (socket) => {
    if (hello !== undefined) socket.emit('hub:hello', { protocol: hello });
    const n = ++state.connections;
    let queue = Promise.resolve();
    let unanswered = 0;
    const report = <T>(name: string, store: (payload: T) => void): void => {
      socket.on(name, (payload: T, ack: (a: unknown) => void) => {
        state.mostUnanswered = Math.max(state.mostUnanswered, ++unanswered);
        queue = queue
          .then(() => store(payload))
          .then(() => hold(name, n, socket))
          .then(() => {
            unanswered--;
            // It stores at once, in order: all it has is stored.
            ack({ ok: true, storedSeq: seen.size - 1 });
          });
      });
    };
    report('report:started', () => undefined);
    report('report:chunks', (r: ReportChunks | ReportChunkBytes) => {
      let at = 0;
      const texts = 'bytes' in r ? r.chunks.map((c) => Buffer.from(r.bytes).toString('utf8', at, (at += c.bytes))) : r.chunks.map((c) => c.text);
      state.reports.push({ as: 'bytes' in r ? 'bytes' : 'text', chars: texts.reduce((n, t) => n + t.length, 0) });
      r.chunks.forEach((c, i) => state.texts.set(c.seq, texts[i]));
      for (const c of r.chunks) {
        if (seen.has(c.seq)) continue;
        seen.add(c.seq);
        state.stored.push(c.seq);
      }
    });
    report('report:finished', (_r: { result: JobResult }) => (state.status = 'success'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => io.close(() => resolve())));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

function reporterFor(hub: StandIn, more: { ackTimeoutMs?: number; window?: number; batchChunks?: number }): HubReporter {
  const temp = tempDir();
  cleanups.push(temp.remove);
  const reporter = new HubReporter({
    url: hub.url,
    token: 'operator-token-0123456789abcdef',
    reporterId: 'window-ack',
    spoolDir: path.join(temp.dir, 'spool'),
    ackTimeoutMs: 5000,
    batchChunks: 100,
    ...more,
  });
  cleanups.push(() => reporter.close(100));
  return reporter;
}

/** Reports a job of `count` chunks in calls of 10 and waits until the hub stored it all, and its end. */
async function reportJob(reporter: HubReporter, hub: StandIn, count: number): Promise<void> {
  await until(() => reporter.connected, 10_000, 'the reporter to connect');
  const job = newJob();
  reporter.started(job);
  for (let seq = 0; seq < count; seq += 10) reporter.chunks(job.id, lines(seq, 10));
  reporter.finished(job.id, { status: 'success', exitCode: 0, signal: null, durationMs: 1, finishedAt: Date.now() });
  assert.equal(await reporter.idle(20_000), true);
  assert.deepEqual(hub.stored, Array.from({ length: count }, (_, i) => i));
  assert.equal(hub.status, 'success');
  await until(() => reporter.pendingJobs.length === 0, 5000, 'the job to be confirmed');
}

test('an unanswered report counts as lost: the reporter reconnects and sends everything once more, in order', { timeout: 60_000 }, async () => {
  let chunkReports = 0;
  // The second batch of chunks is never answered, and nothing behind it is handled.
  const hub = await standIn((name, n) => (n === 1 && name === 'report:chunks' && ++chunkReports === 2 ? new Promise<void>(() => undefined) : undefined));
  const reporter = reporterFor(hub, { ackTimeoutMs: 300 });
  await reportJob(reporter, hub, 1000);
  assert.ok(hub.connections >= 2, 'reconnected after the unanswered report');
});

test('several reports are in flight at once; the connection lost with reports in flight, the job is stored whole and in order', { timeout: 60_000 }, async () => {
  let chunkReports = 0;
  // Each answer takes a while, so the reports behind it wait at the hub; at the 8th batch of the
  // first connection (stored, not answered) the connection drops with others sent behind it.
  const hub = await standIn(async (name, n, socket) => {
    if (n === 1 && name === 'report:chunks' && ++chunkReports === 8) {
      socket.conn.close();
      return new Promise<void>(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  });
  const reporter = reporterFor(hub, { window: 4 });
  await reportJob(reporter, hub, 2000);
  assert.equal(hub.mostUnanswered, 4, 'as many reports in flight as the window allows');
  assert.ok(hub.connections >= 2, 'reconnected after the connection dropped');
});

test('output goes as UTF-8 bytes in reports of up to 256K characters to a hub that says it speaks version 4, and as text, 32K at most, to an older one', { timeout: 60_000 }, async () => {
  // 4K characters a chunk, of one to four bytes each.
  const text = (seq: number): string => `${seq} ✓ é 😀 ${'x'.repeat(4000)}`.slice(0, 4095) + '\n';
  for (const hello of [4, 3, undefined]) {
    const hub = await standIn(() => undefined, hello);
    const reporter = reporterFor(hub, { batchChunks: 1000 });
    await until(() => reporter.connected, 10_000, 'the reporter to connect');
    const job = newJob();
    reporter.started(job);
    const chunks: Chunk[] = Array.from({ length: 500 }, (_, seq) => ({ seq, ts: seq, stream: 'stdout', text: text(seq) }));
    for (let seq = 0; seq < chunks.length; seq += 50) reporter.chunks(job.id, chunks.slice(seq, seq + 50));
    reporter.finished(job.id, { status: 'success', exitCode: 0, signal: null, durationMs: 1, finishedAt: Date.now() });
    assert.equal(await reporter.idle(20_000), true);
    assert.deepEqual([...hub.texts.entries()].sort(([a], [b]) => a - b), chunks.map((c) => [c.seq, c.text]), `hello ${hello}`);
    const as = hello === 4 ? 'bytes' : 'text';
    assert.ok(hub.reports.every((r) => r.as === as), `hello ${hello}: ${JSON.stringify(hub.reports.slice(0, 3))}`);
    const most = Math.max(...hub.reports.map((r) => r.chars));
    if (as === 'bytes') assert.ok(most > REPORT_MAX_CHARS && most <= BYTES_REPORT_MAX_CHARS, `reports of up to ${most} characters`);
    else assert.ok(most <= REPORT_MAX_CHARS, `reports of up to ${most} characters`);
  }
});
