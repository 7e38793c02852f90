import { TokenBucket } from './tokenBucket';

/** How much one client may send; 0 turns a limit off. */
export interface RateLimitOptions {
  /** Events a second one socket may send; it may send twice as many in a burst. */
  socketEvents: number;
  /** Bytes a second one socket may send, in a burst of twice as many. */
  socketBytes: number;
  /** HTTP requests a second per token, in a burst of twice as many. */
  httpRequests: number;
}

// Far above what a busy team sends: a history being scrolled a few pages a second, a dashboard
// less. A window streaming 40 MiB/s of output sends about 1300 reports a second of 32K characters
// each (REPORT_MAX_CHARS), which REPORT_EVENT_COST makes 325 events.
export const DEFAULT_RATE_LIMITS: RateLimitOptions = { socketEvents: 500, socketBytes: 64 * 1024 * 1024, httpRequests: 100 };

/**
 * What one report of output counts for against the events limit. Reports are kept small so that
 * no message is one of V8's costly large strings (REPORT_MAX_CHARS), so a flood sends many; what
 * each costs the hub is its bytes, which the bytes limit meters.
 */
export const REPORT_EVENT_COST = 0.25;
/** All sockets of one token together may send this many times what one socket may. */
const TOKEN_FACTOR = 8;
const BURST_FACTOR = 2;
/** A socket refused more than this many times the events it may send a second, within one window, is disconnected. */
const DISCONNECT_FACTOR = 2;
const WINDOW_MS = 10_000;

/** Why an event or request was not taken, and when to try again. */
export interface Refusal {
  error: string;
  retryAfterMs: number;
}

const bucket = (perSecond: number, factor = 1): TokenBucket | undefined =>
  perSecond > 0 ? new TokenBucket(perSecond * factor, perSecond * factor * BURST_FACTOR) : undefined;

/** The buckets of one token, shared by its sockets and its HTTP requests. */
interface TokenBuckets {
  events?: TokenBucket;
  bytes?: TokenBucket;
  http?: TokenBucket;
}

// The hub's rate limits, per socket and per token, for Socket.io events and HTTP requests. One
// client over its limits gets clear refusals (and, if it keeps on, is disconnected); everyone else
// is served as before. Refusals are cheap: nothing is decoded further or queued.
export class RateLimits {
  private readonly tokens = new Map<string, TokenBuckets>();

  constructor(readonly options: RateLimitOptions = DEFAULT_RATE_LIMITS) {}

  /** The meter of a new socket authenticated with `token`. */
  socket(token: string): SocketMeter {
    return new SocketMeter(this.options, this.bucketsOf(token));
  }

  /** An HTTP request with `token`: undefined when it may go on. */
  http(token: string): Refusal | undefined {
    const limit = this.bucketsOf(token).http;
    if (!limit || limit.take()) return undefined;
    return { error: `Too many requests with this token: at most ${this.options.httpRequests} a second`, retryAfterMs: Math.ceil(limit.secondsUntil() * 1000) };
  }

  private bucketsOf(token: string): TokenBuckets {
    let buckets = this.tokens.get(token);
    if (!buckets) {
      buckets = {
        events: bucket(this.options.socketEvents, TOKEN_FACTOR),
        bytes: bucket(this.options.socketBytes, TOKEN_FACTOR),
        http: bucket(this.options.httpRequests),
      };
      this.tokens.set(token, buckets);
    }
    return buckets;
  }
}

/** What one socket sent against its limits and its token's. */
export class SocketMeter {
  private readonly events: TokenBucket | undefined;
  private readonly bytes: TokenBucket | undefined;
  private refused = 0;
  private windowStart = Date.now();
  /** Bytes received since the last event was admitted or refused: the next event's. */
  private arrived = 0;

  constructor(
    private readonly options: RateLimitOptions,
    private readonly token: TokenBuckets,
  ) {
    this.events = bucket(options.socketEvents);
    this.bytes = bucket(options.socketBytes);
  }

  /** Bytes of a packet that arrived: the event they make up is charged for them once admitted. */
  received(bytes: number): void {
    this.arrived += bytes;
  }

  // One event named `event`: undefined when it may be handled, and then its bytes are charged (which
  // may leave the buckets in debt). While they are in debt every event is refused, and a refused
  // event is not charged: a reporter told to wait sends again what was refused, and charged for it
  // too, the first report after its wait found the buckets in debt again, every time, so that none
  // was ever taken. The socket's own limit is taken first, so one client cannot use up its token's.
  admit(event: unknown): Refusal | undefined {
    const bytes = this.arrived;
    this.arrived = 0;
    const refusal = this.check(event === 'report:chunks' ? REPORT_EVENT_COST : 1);
    if (refusal) {
      this.refused++;
      return refusal;
    }
    this.bytes?.charge(bytes);
    this.token.bytes?.charge(bytes);
    return undefined;
  }

  /** True once the socket has kept on sending far over its limit: it is to be disconnected. */
  get exhausted(): boolean {
    if (Date.now() - this.windowStart > WINDOW_MS) {
      this.windowStart = Date.now();
      this.refused = 0;
    }
    return this.refused > Math.max(1000, this.options.socketEvents * DISCONNECT_FACTOR);
  }

  private check(cost: number): Refusal | undefined {
    if (this.bytes && !this.bytes.solvent) return this.over('bytes', this.bytes, this.options.socketBytes, 'this connection');
    if (this.token.bytes && !this.token.bytes.solvent) return this.over('bytes', this.token.bytes, this.options.socketBytes * TOKEN_FACTOR, 'this token');
    if (this.events && !this.events.take(cost)) return this.over('events', this.events, this.options.socketEvents, 'this connection');
    if (this.token.events && !this.token.events.take(cost)) return this.over('events', this.token.events, this.options.socketEvents * TOKEN_FACTOR, 'this token');
    return undefined;
  }

  private over(what: 'events' | 'bytes', limit: TokenBucket, perSecond: number, whose: string): Refusal {
    const amount = what === 'bytes' ? `${Math.round(perSecond / (1024 * 1024))} MiB` : `${perSecond} events`;
    return { error: `Rate limit: ${whose} may send at most ${amount} a second; try again later`, retryAfterMs: Math.ceil(limit.secondsUntil(what === 'bytes' ? 0 : 1) * 1000) };
  }
}
