import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fullCollection, IdleCollection } from '../../../src/core/util/idleCollection';

const MB = 1024 * 1024;

test('one collection once writes have stopped, and only when the heap grew', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let heap = 100 * MB;
  let collections = 0;
  const collection = new IdleCollection(
    () => {
      collections++;
      heap = 110 * MB;
    },
    () => heap,
    5000,
  );
  heap = 300 * MB;
  for (let i = 0; i < 10; i++) {
    collection.wrote();
    t.mock.timers.tick(1000);
  }
  assert.equal(collections, 0, 'not while writes keep coming');
  t.mock.timers.tick(4000);
  assert.equal(collections, 1, 'five seconds after the last write');
  heap = 120 * MB;
  collection.wrote();
  t.mock.timers.tick(5000);
  assert.equal(collections, 1, 'a heap that hardly grew is left alone');
  collection.wrote();
  collection.stop();
  heap = 400 * MB;
  t.mock.timers.tick(10_000);
  assert.equal(collections, 1, 'nothing after stop');
});

test('the full collection frees what nothing holds any more', async () => {
  const collect = fullCollection();
  const weak = new WeakRef(Array.from({ length: 100_000 }, (_, i) => ({ i })));
  // A WeakRef keeps its target for the rest of the turn that made it.
  await new Promise((resolve) => setImmediate(resolve));
  collect();
  assert.equal(weak.deref(), undefined);
});
