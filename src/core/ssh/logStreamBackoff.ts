/** When a dropped log stream reconnects. */
export interface BackoffPolicy {
  /** Delay after the first drop. */
  initialMs: number;
  /** The delay doubles per failed try up to this. */
  maxMs: number;
  /** A connection that stayed up this long counts as healthy: the next delay is `initialMs` again. */
  healthyMs: number;
}

/** 1 s, 2 s, 4 s … at most 30 s; reset after a minute of a healthy connection. */
export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 30_000, healthyMs: 60_000 };

// Exponential backoff for reconnecting: a VM that is rebooting is not hammered, a network
// that hiccups once an hour reconnects within a second each time.
export class Backoff {
  private failures = 0;

  constructor(private readonly policy: BackoffPolicy) {}

  /** A connection ended after being up `upMs` (0: it never came up); the delay before the next try. */
  next(upMs: number): number {
    if (upMs >= this.policy.healthyMs) this.failures = 0;
    const delay = Math.min(this.policy.maxMs, this.policy.initialMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    return delay;
  }
}
