import { createHash, timingSafeEqual } from 'node:crypto';
import type { HubRole } from '../shared/hubProtocol';
import type { TokenEntry } from './tokens';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

// The role of a token, compared in constant time: every entry is compared (no early exit), over
// SHA-256 digests so that the lengths are always equal.
export class TokenChecker {
  private readonly entries: { role: HubRole; digest: Buffer }[];

  constructor(entries: readonly TokenEntry[]) {
    this.entries = entries.map((e) => ({ role: e.role, digest: digest(e.token) }));
  }

  roleOf(token: unknown): HubRole | undefined {
    if (typeof token !== 'string' || token.length === 0 || token.length > 1024) return undefined;
    const given = digest(token);
    let role: HubRole | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, given) && role !== 'operator') role = entry.role;
    }
    return role;
  }
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** How a failed login is answered: after its turn in its address's line, or at once because the line is full. */
export type FailedLogin = 'waited' | 'crowded';

// Slows down guessing. The failed logins of one address wait in line: each is answered its delay
// after the answer to the one before it (base, doubled per failure, up to max), so that N guesses
// sent at once take as long as N sent one after another. A right token never comes here: every
// client of a local hub is 127.0.0.1, and a delay or a lockout of right tokens would let any local
// process lock the user out of their own hub. At most `maxWaiting` failures (of all addresses)
// wait at a time, and at most `maxAddresses` addresses are remembered: past either a failure is
// answered at once ('crowded'), so the line costs bounded memory. An address whose line is empty
// and that failed no more for `forgetMs` is forgotten.
export class LoginThrottle {
  /** Per address: failures counted, and when the last one in line is answered. */
  private readonly addresses = new Map<string, { count: number; answerAt: number }>();
  private waiting = 0;
  private sweptAt = 0;

  constructor(
    private readonly baseMs = 250,
    readonly maxMs = 5000,
    private readonly forgetMs = 10 * 60_000,
    private readonly maxWaiting = 256,
    private readonly maxAddresses = 10_000,
  ) {}

  /** Records a failure and resolves when the answer may be sent: 'crowded' at once when too many wait. */
  failed(address: string): Promise<FailedLogin> {
    const now = Date.now();
    this.forget(now);
    let entry = this.addresses.get(address);
    if (this.waiting >= this.maxWaiting || (!entry && this.addresses.size >= this.maxAddresses)) return Promise.resolve('crowded');
    entry ??= { count: 0, answerAt: now };
    this.addresses.set(address, entry);
    entry.count++;
    entry.answerAt = Math.max(now, entry.answerAt) + Math.min(this.maxMs, this.baseMs * 2 ** Math.min(entry.count - 1, 16));
    this.waiting++;
    return new Promise((resolve) =>
      setTimeout(() => {
        this.waiting--;
        resolve('waited');
      }, entry.answerAt - now),
    );
  }

  /** Forgets quiet addresses, at most once a second (each look goes over all of them). */
  private forget(now: number): void {
    if (now - this.sweptAt < 1000 && this.addresses.size < this.maxAddresses) return;
    this.sweptAt = now;
    for (const [key, entry] of this.addresses) if (now - entry.answerAt > this.forgetMs) this.addresses.delete(key);
  }
}

/** True when the Host header names the host and port of `origin`, each port read under the Origin's scheme. */
function sameHost(origin: URL, hostHeader: string): boolean {
  try {
    return new URL(`${origin.protocol}//${hostHeader}`).host === origin.host;
  } catch {
    return false;
  }
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** The hostname of a `Host` header (`name:port`, `[v6]:port`), lower case. */
function hostnameOf(hostHeader: string): string | undefined {
  try {
    return new URL(`http://${hostHeader}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

// The DNS-rebinding guard: a request must name the hub by a loopback name or address, or by the
// host it was told to bind to; a browser page's `Origin`, when sent, must be the hub itself or the
// very origin the request was sent to. The second is how the hub is reached through a proxy on this
// machine (code-server's /proxy/<port>/, an editor's forwarded port): the proxy passes the
// browser's Host on, so Host and Origin both name the proxy. A page of any other origin sends an
// Origin unlike the Host, and a rebound name fails the Host check; the token is asked for anyway.
export class RequestGuard {
  private readonly hosts: Set<string>;

  constructor(
    configuredHost: string,
    private readonly port: () => number,
  ) {
    const configured = hostnameOf(configuredHost.includes(':') && !configuredHost.startsWith('[') ? `[${configuredHost}]` : configuredHost);
    this.hosts = new Set([...LOOPBACK, ...(configured ? [configured] : [])]);
  }

  /** Undefined when the request may go on, else why not. */
  check(headers: { host?: string; origin?: string | string[] }): string | undefined {
    const host = headers.host === undefined ? undefined : hostnameOf(headers.host);
    if (!host || !this.hosts.has(host)) return 'The Host header does not name this hub';
    const origin = headers.origin;
    if (origin === undefined) return undefined;
    if (Array.isArray(origin)) return 'More than one Origin header';
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return 'The Origin header is not a URL';
    }
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    if (url.protocol === 'http:' && this.hosts.has(url.hostname.toLowerCase()) && port === this.port()) return undefined;
    if ((url.protocol === 'http:' || url.protocol === 'https:') && sameHost(url, headers.host!)) return undefined;
    return 'The Origin is not this hub';
  }
}
