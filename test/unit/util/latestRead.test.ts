import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LatestRead } from '../../../src/core/util/latestRead';

// Reads that end when the test says so, in the order it chooses: no timing.
function controlledReads() {
  const pending: Array<{ resolve: (v: string) => void; reject: (e: Error) => void }> = [];
  const read = () => new Promise<string>((resolve, reject) => pending.push({ resolve, reject }));
  return { read, pending };
}

/** Lets every settled promise run its callbacks. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

test('callers waiting together share one read; the value is kept until invalidated', async () => {
  const { read, pending } = controlledReads();
  const seen: string[] = [];
  const latest = new LatestRead(read, (v) => seen.push(v));
  const a = latest.get();
  const b = latest.get();
  await settle();
  assert.equal(pending.length, 1);
  pending[0].resolve('one');
  assert.deepEqual([await a, await b, await latest.get()], ['one', 'one', 'one']);
  assert.equal(pending.length, 1);
  latest.invalidate();
  const c = latest.get();
  await settle();
  pending[1].resolve('two');
  assert.equal(await c, 'two');
  assert.deepEqual(seen, ['one', 'two']);
});

test('a read superseded while in flight gives its callers the fresh value, and onRead sees only the fresh one, even when the old read ends last', async () => {
  const { read, pending } = controlledReads();
  const seen: string[] = [];
  const latest = new LatestRead(read, (v) => seen.push(v));
  const early = latest.get();
  await settle();
  latest.invalidate(); // the files changed during the slow read
  const late = latest.get();
  await settle();
  assert.equal(pending.length, 2);
  pending[1].resolve('fresh');
  assert.equal(await late, 'fresh');
  pending[0].resolve('stale');
  assert.equal(await early, 'fresh');
  await settle();
  assert.deepEqual(seen, ['fresh']);
});

test('a superseded read that ends first is not shown: its callers wait for the fresh one', async () => {
  const { read, pending } = controlledReads();
  const seen: string[] = [];
  const latest = new LatestRead(read, (v) => seen.push(v));
  const early = latest.get();
  await settle();
  latest.invalidate();
  pending[0].resolve('stale');
  await settle();
  assert.deepEqual(seen, [], 'the stale value is not announced');
  assert.equal(pending.length, 2, 'the waiting caller started the fresh read');
  pending[1].resolve('fresh');
  assert.equal(await early, 'fresh');
  assert.deepEqual(seen, ['fresh']);
});

test('a failed read is the answer until invalidated; a superseded one that fails is not', async () => {
  const { read, pending } = controlledReads();
  const latest = new LatestRead(read);
  const first = latest.get();
  await settle();
  pending[0].reject(new Error('broken'));
  await assert.rejects(first, /broken/);
  await assert.rejects(latest.get(), /broken/);
  latest.invalidate();
  const second = latest.get();
  await settle();
  latest.invalidate();
  pending[1].reject(new Error('superseded'));
  await settle();
  pending[2].resolve('fixed');
  assert.equal(await second, 'fixed');
});

test('a caller waiting on a read that never ends gets the fresh value as soon as it is read', async () => {
  const { read, pending } = controlledReads();
  const latest = new LatestRead(read);
  let early: string | undefined;
  void latest.get().then((v) => (early = v));
  await settle();
  latest.invalidate(); // a read of a hung mount: pending[0] never ends
  const late = latest.get();
  await settle();
  pending[1].resolve('fresh');
  assert.equal(await late, 'fresh');
  await settle();
  assert.equal(early, 'fresh', 'the first caller still waits on the read that was superseded');
});
