// The bytes limit of one connection, on SocketMeter alone with the clock mocked: an event is
// charged its bytes once admitted, so that a client that waits as it is told gets through at the
// limit's rate, and never faster.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { RateLimits, type Refusal } from '../../../src/server/rateLimits';

const RATE = 1000;
const BURST = 2 * RATE;

/** A clock for `body` to move, and a meter of one connection that reads it. */
function withClock(body: (clock: { now: number }, send: (bytes: number) => Refusal | undefined) => void): void {
  const clock = { now: 0 };
  const realNow = Date.now;
  Date.now = () => clock.now;
  try {
    const meter = new RateLimits({ socketEvents: 0, socketBytes: RATE, httpRequests: 0 }).socket('token');
    body(clock, (bytes) => {
      meter.received(bytes);
      return meter.admit('report:chunks');
    });
  } finally {
    Date.now = realNow;
  }
}

test('a connection in debt is refused until it is paid, and what was refused is not charged', () => {
  withClock((clock, send) => {
    assert.equal(send(1500), undefined, 'within the burst');
    assert.equal(send(1500), undefined, 'taken: the buckets were not in debt before it');
    const refusal = send(1500);
    assert.match(refusal?.error ?? '', /Rate limit: this connection may send at most/);
    assert.equal(refusal?.retryAfterMs, 1000, 'a debt of 1000 bytes at 1000 a second');
    clock.now += 999;
    assert.equal(send(1500)?.retryAfterMs, 1, 'the refusal before cost nothing');
    clock.now += 1;
    assert.equal(send(1500), undefined, 'the debt is paid: the same report is taken');
  });
});

// Any sizes of events and any pauses between them, from a client that sends each event again
// after the wait it was told until it is taken, as HubReporter does.
test('a client that waits as told gets every event through, never more than the burst and the rate allow', () => {
  fc.assert(
    fc.property(fc.array(fc.record({ bytes: fc.integer({ min: 1, max: 3 * BURST }), pauseMs: fc.integer({ min: 0, max: 3000 }) }), { minLength: 1, maxLength: 40 }), (events) => {
      withClock((clock, send) => {
        let admitted = 0;
        for (const { bytes, pauseMs } of events) {
          clock.now += pauseMs;
          const refusal = send(bytes);
          if (refusal) {
            assert.ok(refusal.retryAfterMs > 0, 'a refusal says how long to wait');
            clock.now += refusal.retryAfterMs;
            assert.equal(send(bytes), undefined, 'taken once the wait is over');
          }
          admitted += bytes;
          // Taken while not in debt, the last event may leave the buckets in debt by its size.
          assert.ok(admitted <= BURST + (RATE * clock.now) / 1000 + bytes, `${admitted} bytes by ${clock.now} ms`);
        }
      });
    }),
    { numRuns: 300 },
  );
});
