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

// Slows down guessing: each failed login from an address waits longer than the one before
// (base, doubled, up to max); a quiet period of `forgetMs` forgets the address.
export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; last: number }>();

  constructor(
    private readonly baseMs = 250,
    private readonly maxMs = 5000,
    private readonly forgetMs = 10 * 60_000,
  ) {}

  /** Records a failure and resolves when the answer may be sent. */
  failed(address: string): Promise<void> {
    const now = Date.now();
    for (const [key, f] of this.failures) if (now - f.last > this.forgetMs) this.failures.delete(key);
    const entry = this.failures.get(address) ?? { count: 0, last: now };
    entry.count++;
    entry.last = now;
    this.failures.set(address, entry);
    const delay = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(entry.count - 1, 16));
    return new Promise((resolve) => setTimeout(resolve, delay));
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
