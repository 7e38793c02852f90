import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Backoff, DEFAULT_BACKOFF } from '../../../src/core/ssh/logStreamBackoff';

test('delays double from the first one up to the cap', () => {
  const backoff = new Backoff(DEFAULT_BACKOFF);
  const delays = Array.from({ length: 8 }, () => backoff.next(0));
  assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
});

test('a connection that stayed up for the healthy period resets the delay; a short one does not', () => {
  const backoff = new Backoff({ initialMs: 100, maxMs: 1000, healthyMs: 5000 });
  assert.deepEqual([backoff.next(0), backoff.next(0), backoff.next(4999)], [100, 200, 400]);
  assert.deepEqual([backoff.next(5000), backoff.next(10)], [100, 200]);
});

test('thousands of failures stay at the cap', () => {
  const backoff = new Backoff(DEFAULT_BACKOFF);
  for (let i = 0; i < 5000; i++) backoff.next(0);
  assert.equal(backoff.next(0), 30000);
});
