// A token bucket: `rate` tokens a second up to `burst`. A take of more than is left is refused
// and takes nothing; a charge (for bytes already received) may leave it in debt, which refills
// like any other shortfall.
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes `n` tokens if there are that many; false (and nothing taken) otherwise. */
  take(n = 1): boolean {
    this.refill();
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }

  /** Takes `n` tokens whatever is left. */
  charge(n: number): void {
    this.refill();
    this.tokens -= n;
  }

  /** False while charges have left the bucket in debt. */
  get solvent(): boolean {
    this.refill();
    return this.tokens >= 0;
  }

  /** Seconds until `n` tokens are there again (for Retry-After). */
  secondsUntil(n = 1): number {
    this.refill();
    return Math.max(0, (n - this.tokens) / this.rate);
  }

  private refill(): void {
    const now = this.now();
    // Counted to a millionth of a token: a client that waited exactly the time secondsUntil() gave
    // found the bucket short by a float's error (-2e-13) and was refused again.
    this.tokens = Math.round(Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate) * 1e6) / 1e6;
    this.last = now;
  }
}
