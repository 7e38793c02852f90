import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ConsoleFeed, lastChars } from '../../../src/core/jobs/consoleFeed';
import { InMemoryRecorder } from '../../../src/core/jobs/inMemoryRecorder';
import type { Chunk, JobInfo } from '../../../src/shared/jobs';
import type { HostToConsoleMessage } from '../../../src/shared/protocol';

const job: JobInfo = { id: 'j1', kind: 'target', mode: 'console', title: 'web build', argv: ['make'], hostname: 'h', startedAt: 1, status: 'running' };
const line = (seq: number, size = 1000): Chunk => ({ seq, ts: seq, stream: 'stdout', text: `${String(seq).padStart(6, '0')}${'x'.repeat(size - 7)}\n` });

function setup(chunks: number, tailBytes = 50_000, frameMs = 1, maxLines = 100_000) {
  const recorder = new InMemoryRecorder({ memoryBytesPerJob: 64 * 1024 });
  recorder.started(job);
  for (let i = 0; i < chunks; i++) recorder.chunks(job.id, [line(i)]);
  const sent: HostToConsoleMessage[] = [];
  const feed = new ConsoleFeed(recorder, (m) => sent.push(m), job.id, { maxLines: () => maxLines, tailBytes, frameMs });
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
  const { feed, appended, recorder } = setup(400, 1_000_000);
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

// Credit comes once a frame while a console catches up: waiting for the host's own tick on top
// of it made every round of the window a frame longer.
test('credit that opens the window sends what waits at once, not at the next tick', () => {
  const { feed, appended, recorder } = setup(400, 1_000_000, 1000);
  feed.ready(5_000);
  const first = appended().length;
  assert.ok(first < 400, 'held back');
  feed.credit(appended().reduce((n, c) => n + c.text.length, 0));
  assert.ok(appended().length > first, 'sent within the credit call');
  assert.deepEqual(appended().map((c) => c.seq), Array.from({ length: appended().length }, (_, i) => i));
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

test('a job replayed from its tail: init says older output can be fetched, and it comes from the store', async () => {
  const stored = Array.from({ length: 6000 }, (_, i) => line(i));
  const recorder = new InMemoryRecorder({ memoryBytesPerJob: 64 * 1024 });
  recorder.started(job, 5990);
  recorder.chunks(job.id, stored.slice(5990));
  const asked: Array<[number, number]> = [];
  let failing = false;
  const fetchBefore = async (_id: string, beforeSeq: number, maxBytes: number): Promise<Chunk[]> => {
    asked.push([beforeSeq, maxBytes]);
    if (failing) throw new Error('hub gone');
    return stored.slice(Math.max(0, beforeSeq - Math.ceil(maxBytes / 1000)), beforeSeq);
  };
  const errors: string[] = [];
  const sent: HostToConsoleMessage[] = [];
  const feed = new ConsoleFeed(recorder, (m) => sent.push(m), job.id, { maxLines: () => 1000, frameMs: 1, fetchBefore, onError: (m) => errors.push(m) });
  feed.ready(1_000_000);
  assert.equal((sent[0] as { canFetchOlder: boolean }).canFetchOlder, true);
  assert.deepEqual(sent.flatMap((m) => (m.type === 'console/append' ? m.chunks.map((c) => c.seq) : [])), Array.from({ length: 10 }, (_, i) => 5990 + i));
  const olderAnswer = async () => {
    for (let i = 0; i < 100; i++) {
      const answer = sent.find((m) => m.type === 'console/older');
      if (answer?.type === 'console/older') return (sent.splice(sent.indexOf(answer), 1), answer);
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.fail('no console/older');
  };
  // Some from the recorder, the rest from the store, in one ordered answer.
  feed.older(5993, 5_000);
  let older = await olderAnswer();
  assert.deepEqual(older.chunks.map((c) => c.seq), [5988, 5989, 5990, 5991, 5992]);
  assert.equal(older.hasMore, true);
  assert.deepEqual(asked, [[5990, 2000]]);
  feed.older(2, 5_000);
  older = await olderAnswer();
  assert.deepEqual([older.chunks.map((c) => c.seq), older.hasMore], [[0, 1], false]);
  failing = true;
  feed.older(100, 5_000);
  older = await olderAnswer();
  assert.deepEqual([older.chunks, older.hasMore], [[], false]);
  assert.match(errors[0], /Cannot read older output of job j1: hub gone/);
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

test('a console far behind is also sent the newest output, at most every 200 ms', async () => {
  const { feed, sent, recorder } = setup(0);
  feed.ready(64 * 1024);
  const tails = () => sent.flatMap((m) => (m.type === 'console/tail' ? [m] : []));
  let seq = 0;
  const write = (n: number) => {
    for (let i = 0; i < n; i++) recorder.chunks(job.id, [line(seq++)]);
    feed.chunksAdded(job.id);
  };
  write(200);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(tails().length, 0, '136 KB waiting is not far behind');
  write(5300);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(tails().length, 1, '5.4 MB waiting is');
  const first = tails()[0];
  assert.equal(first.chunks[first.chunks.length - 1].seq, 5499, 'it ends with the newest chunk');
  assert.ok(first.chunks.reduce((n, c) => n + c.text.length, 0) <= 32 * 1024, 'a screen or so, not the backlog');
  for (let i = 0; i < 5; i++) {
    write(10);
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.equal(tails().length, 1, 'not more often than every 200 ms');
  await new Promise((r) => setTimeout(r, 250));
  assert.equal(tails().length, 2, 'the output written meanwhile follows once the interval has passed');
  assert.equal(tails()[1].chunks.at(-1)!.seq, seq - 1);
  assert.equal(first.bytesPerSecond, undefined, 'the first says no rate: none came before it');
  const rate = tails()[1].bytesPerSecond!;
  assert.ok(rate >= 50_000 / 1 && rate <= 50_000 / 0.2, `the second, 200 ms to 1 s after 50 KB more: ${rate} B/s`);
  const appended = sent.flatMap((m) => (m.type === 'console/append' ? m.chunks : []));
  feed.credit(appended.reduce((n, c) => n + c.text.length, 0));
  assert.deepEqual(appended.map((c) => c.seq), Array.from({ length: appended.length }, (_, i) => i), 'the output in order is sent as before');
  feed.dispose();
  recorder.dispose();
});

test("the newest output of a pty's big chunks is cut to about 16 KB from a line start, and keeps its seq", async () => {
  const { feed, sent, recorder } = setup(0);
  feed.ready(64 * 1024);
  for (let seq = 0; seq < 100; seq++) recorder.chunks(job.id, [{ ...line(seq, 100), text: line(seq, 100).text.repeat(600) }]);
  feed.chunksAdded(job.id);
  await new Promise((r) => setTimeout(r, 20));
  const tail = sent.find((m) => m.type === 'console/tail');
  assert.ok(tail && tail.type === 'console/tail');
  assert.deepEqual(tail.chunks.map((c) => c.seq), [99]);
  const text = tail.chunks[0].text;
  assert.ok(text.length <= 16 * 1024 && text.length > 15 * 1024, `${text.length} characters`);
  assert.match(text, /^000099x+\n/, 'whole lines');
  feed.dispose();
  recorder.dispose();
});

test('lastChars keeps the end of the text, in the same chunks, from a line start when it cuts one', () => {
  const chunk = fc.record({ stream: fc.constantFrom('stdout' as const, 'stderr' as const), text: fc.stringMatching(/^[ab\n]{0,40}$/) });
  fc.assert(
    fc.property(fc.array(chunk, { maxLength: 8 }), fc.integer({ min: 1, max: 100 }), (parts, chars) => {
      const chunks: Chunk[] = parts.map((c, seq) => ({ ...c, seq, ts: seq }));
      const kept = lastChars(chunks, chars);
      const all = chunks.map((c) => c.text).join('');
      const end = kept.map((c) => c.text).join('');
      if (all.length <= chars) return assert.deepEqual(kept, chunks);
      assert.ok(all.endsWith(end) && end.length <= chars);
      assert.ok(end.length === chars || all[all.length - end.length - 1] === '\n', 'cut at the limit or just after a newline');
      assert.deepEqual(kept.slice(1), chunks.slice(chunks.length - kept.length + 1), 'whole chunks after the cut one');
      if (kept.length > 0) assert.deepEqual({ ...kept[0], text: '' }, { ...chunks[chunks.length - kept.length], text: '' }, 'the cut chunk keeps its seq');
    }),
    { numRuns: 2000 },
  );
});

test('a console that keeps up is never sent the newest output apart', async () => {
  const { feed, sent, recorder } = setup(0);
  feed.ready(1024 * 1024);
  for (let seq = 0; seq < 3000; seq++) {
    recorder.chunks(job.id, [line(seq)]);
    feed.chunksAdded(job.id);
    if (seq % 100 === 99) {
      await new Promise((r) => setTimeout(r, 2));
      feed.credit(sent.flatMap((m) => (m.type === 'console/append' ? m.chunks : [])).reduce((n, c) => n + c.text.length, 0));
    }
  }
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(sent.filter((m) => m.type === 'console/tail').length, 0);
  feed.dispose();
  recorder.dispose();
});

test("a job's end is sent after the output written before it, not a frame ahead of it", () => {
  // A frame long enough that only the change can send the new output.
  const { feed, sent, recorder } = setup(2, 50_000, 60_000);
  feed.ready(1_000_000);
  sent.length = 0;
  recorder.chunks(job.id, [line(2), line(3)]);
  feed.chunksAdded(job.id);
  feed.jobChanged({ ...job, status: 'canceled' });
  assert.deepEqual(
    sent.map((m) => (m.type === 'console/append' ? `append ${m.chunks.map((c) => c.seq).join(',')}` : m.type)),
    ['append 2,3', 'console/status'],
  );
  feed.dispose();
  recorder.dispose();
});

test('a console far behind by more lines than it keeps is told to skip to where its last lines begin; a paused one is sent it all', () => {
  const { feed, sent, recorder } = setup(0, 50_000, 1, 1000);
  feed.ready(64 * 1024);
  for (let seq = 0; seq < 3900; seq++) recorder.chunks(job.id, [line(seq)]);
  feed.credit(0);
  assert.equal(sent.filter((m) => m.type === 'console/skip').length, 0, 'while the job runs, not before four times as many lines wait');
  feed.pausedView(true);
  for (let seq = 3900; seq < 5000; seq++) recorder.chunks(job.id, [line(seq)]);
  feed.credit(0);
  assert.equal(sent.filter((m) => m.type === 'console/skip').length, 0, 'no skip while paused');
  feed.pausedView(false);
  const skips = sent.flatMap((m) => (m.type === 'console/skip' ? [m] : []));
  // From chunk 3999 on, 1001 lines wait: more than the 1000 the console keeps.
  assert.deepEqual(skips.map((m) => m.chunks[0]!.seq), [3999]);
  assert.ok(skips[0]!.chunks.reduce((n, c) => n + c.text.length, 0) <= 64 * 1024, 'with a batch of what follows');
  const received = () => sent.flatMap((m) => (m.type === 'console/append' || m.type === 'console/skip' ? m.chunks : []));
  const readAll = () => {
    for (let i = 0; i < 200 && !feed.caughtUp; i++) feed.credit(received().reduce((n, c) => n + c.text.length, 0));
  };
  readAll();
  assert.ok(feed.caughtUp);
  const seqs = received().map((c) => c.seq);
  const at = seqs.indexOf(3999);
  assert.deepEqual(seqs.slice(at), Array.from({ length: 1001 }, (_, i) => 3999 + i), 'then the output from there on, in order');
  assert.ok(at > 0 && seqs[at - 1]! < 3999, 'after what was sent before the skip');

  feed.pausedView(true);
  for (let seq = 5000; seq < 9500; seq++) recorder.chunks(job.id, [line(seq)]);
  readAll();
  assert.equal(sent.filter((m) => m.type === 'console/skip').length, 1, 'a paused console is sent everything');
  assert.deepEqual(received().slice(-4500).map((c) => c.seq), Array.from({ length: 4500 }, (_, i) => 5000 + i));

  // Once the job has ended no more output comes: a skip is worth it as soon as it saves anything.
  feed.pausedView(false);
  for (let seq = 9500; seq < 11_500; seq++) recorder.chunks(job.id, [line(seq)]);
  feed.credit(received().reduce((n, c) => n + c.text.length, 0));
  assert.equal(sent.filter((m) => m.type === 'console/skip').length, 1, '2000 lines waiting: no skip while the job runs');
  recorder.finished(job.id, { status: 'success', exitCode: 0, signal: null, durationMs: 1, finishedAt: 2 });
  feed.jobChanged(recorder.get(job.id)!);
  const last = sent.filter((m) => m.type === 'console/skip').at(-1);
  assert.ok(last?.type === 'console/skip' && last.chunks[0]!.seq === 10_499, 'it skips once the job ended');
  feed.dispose();
  recorder.dispose();
});

// A console modelled as keeping the last `maxLines` lines of what it is sent: whatever the output,
// the credit it gives and when it is paused, once it has caught up it shows what reading everything
// would have shown, and no credit is lost to a skip.
test('skipping never changes the lines a caught-up console keeps', () => {
  const maxLines = 5;
  const step = fc.oneof(
    fc.record({ write: fc.array(fc.stringMatching(/^[ab\n]{0,12}$/), { maxLength: 6 }) }),
    fc.record({ credit: fc.double({ min: 0, max: 1, noNaN: true }) }),
    fc.record({ paused: fc.boolean() }),
    fc.record({ end: fc.constant(true) }),
  );
  fc.assert(
    fc.property(fc.array(step, { maxLength: 40 }), fc.integer({ min: 1, max: 64 }), (steps, creditWindow) => {
      const recorder = new InMemoryRecorder();
      recorder.started(job);
      let shown = '';
      let sentChars = 0;
      /** What the console has consumed at least: at a skip, all sent before it. */
      let consumable = 0;
      const feed = new ConsoleFeed(
        recorder,
        (m) => {
          if (m.type === 'console/skip') [shown, consumable] = ['', sentChars];
          if (m.type === 'console/append' || m.type === 'console/skip') for (const c of m.chunks) [shown, sentChars] = [shown + c.text, sentChars + c.text.length];
        },
        job.id,
        { maxLines: () => maxLines, tailBytes: 0, frameMs: 60_000 },
      );
      feed.ready(creditWindow);
      let seq = recorder.nextSeq(job.id);
      for (const s of steps) {
        if ('write' in s) recorder.chunks(job.id, s.write.map((text) => ({ seq: seq++, ts: 0, stream: 'stdout' as const, text })));
        else if ('credit' in s) feed.credit(Math.max(consumable, Math.floor(sentChars * s.credit)));
        else if ('paused' in s) feed.pausedView(s.paused);
        else if (recorder.get(job.id)?.status === 'running') {
          recorder.finished(job.id, { status: 'success', exitCode: 0, signal: null, durationMs: 1, finishedAt: 2 });
          feed.jobChanged(recorder.get(job.id)!);
        }
      }
      for (let i = 0; i < 10_000 && !feed.caughtUp; i++) feed.credit(sentChars);
      assert.ok(feed.caughtUp, 'credit for what was sent lets it catch up');
      const all = [...Array(seq).keys()].map((n) => recorder.read(job.id, n, 0)[0]?.text ?? '').join('');
      assert.deepEqual(shown.split('\n').slice(-maxLines), all.split('\n').slice(-maxLines));
      feed.dispose();
      recorder.dispose();
    }),
    { numRuns: 500 },
  );
});
