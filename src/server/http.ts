import type http from 'node:http';
import type { JobStore } from '../core/store/jobStore';
import { isLost } from '../core/store/refusal';
import { StoreUnavailable } from '../core/store/storeUnavailable';
import { messageOf } from '../shared/errors';
import { EVENTS_MAX_BYTES } from '../shared/hubProtocol';
import { LIMITS, parseEventsQuery, parseJobQuery, type EventsQuery } from '../shared/schema';
import { type Parsed } from '../shared/schemaFields';
import type { JobQuery } from '../shared/jobs';
import { bearerToken, type LoginThrottle, type RequestGuard, type TokenChecker } from './auth';
import type { FairTurns } from './fairTurns';
import type { RateLimits } from './rateLimits';
import { dashboardHandler } from './dashboard';

/** What the HTTP API works with. */
export interface HttpDeps {
  guard: RequestGuard;
  tokens: TokenChecker;
  throttle: LoginThrottle;
  store: JobStore;
  log: (message: string) => void;
  limits: RateLimits;
  /** The turns in which clients' reads reach the store. */
  turns: FairTurns;
}

/** When to ask again while the job database is unavailable: about as long as a read waits before it gives up on it. */
const RETRY_AFTER_S = 10;

/** An answer with a status other than 200. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
  res.end(text);
}

/** A time parameter: epoch ms, or a date that Date.parse reads; the schema checks its range. */
function time(text: string): number | string {
  const n = /^-?\d+$/.test(text) ? Number(text) : Date.parse(text);
  return Number.isFinite(n) ? n : text;
}

/** A whole-number parameter as a number, else as the text (which the schema then refuses, naming it). */
function whole(text: string): number | string {
  return /^\d{1,16}$/.test(text) ? Number(text) : text;
}

function checked<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) throw new HttpError(400, parsed.error);
  return parsed.value;
}

// The query parameters as the payload of the matching socket event, read by the same parser: a
// value the socket refuses is refused here with the same message. A parameter given twice is refused.
function params(url: URL, names: readonly string[], convert: Record<string, (text: string) => unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const values = url.searchParams.getAll(name);
    if (values.length > 1) throw new HttpError(400, `${name}: expected once, got ${values.length} times`);
    if (values.length === 1) out[name] = (convert[name] ?? String)(values[0]);
  }
  return out;
}

/** The history filters of `/api/jobs`; `status` may list several, separated by commas. */
function jobQuery(url: URL): JobQuery {
  const status = (text: string): unknown => (text.includes(',') ? text.split(',') : text);
  return checked(parseJobQuery(params(url, ['status', 'kind', 'alias', 'vm', 'text', 'cursor', 'from', 'to', 'limit'], { status, from: time, to: time, limit: whole })));
}

function eventsQuery(url: URL, jobId: string): EventsQuery {
  const before = (text: string): unknown => (text === 'end' ? text : whole(text));
  return checked(parseEventsQuery({ jobId, ...params(url, ['fromSeq', 'beforeSeq', 'limit', 'maxBytes'], { fromSeq: whole, beforeSeq: before, limit: whole, maxBytes: whole }) }));
}

async function route(deps: HttpDeps, url: URL): Promise<unknown> {
  const parts = url.pathname.split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      throw new HttpError(400, 'Bad escape in the path');
    }
  });
  if (parts[0] !== 'api') throw new HttpError(404, 'Not found');
  const [, resource, id, sub, ...rest] = parts;
  if (rest.length > 0) throw new HttpError(404, 'Not found');
  if (resource === 'projects' && id === undefined) return { projects: await deps.store.listProjects() };
  if (resource === 'projects' && sub === 'targets') {
    if (id.includes('\0') || id.length > LIMITS.name) throw new HttpError(404, 'No such project');
    const targets = await deps.store.listTargets(id);
    if (!targets) throw new HttpError(404, `No project ${id}`);
    return { targets };
  }
  if (resource === 'vms' && id === undefined) return { vms: await deps.store.listVms() };
  if (resource === 'jobs' && id === undefined) return deps.store.listJobs(jobQuery(url));
  if (resource === 'jobs' && sub === undefined) {
    const job = await deps.store.getJob(id);
    if (!job) throw new HttpError(404, `No job ${id}`);
    return { job };
  }
  if (resource === 'jobs' && sub === 'events') {
    const query = eventsQuery(url, id);
    const page = { limit: query.limit ?? 1000, maxBytes: query.maxBytes ?? EVENTS_MAX_BYTES };
    if (!(await deps.store.getJob(id))) throw new HttpError(404, `No job ${id}`);
    if (query.beforeSeq !== undefined) return { chunks: await deps.store.readEventsBefore(id, query.beforeSeq === 'end' ? undefined : query.beforeSeq, page) };
    const fromSeq = query.fromSeq ?? 0;
    const chunks = await deps.store.readEvents(id, fromSeq, page);
    return { chunks, nextSeq: chunks.length > 0 ? chunks[chunks.length - 1].seq + 1 : fromSeq };
  }
  throw new HttpError(404, 'Not found');
}

// The read-only HTTP API: Host and Origin checked first (403), then the dashboard page (no token:
// it holds no data), then the Bearer token (401, failed attempts answered in turn, LoginThrottle;
// 429 when too many wait), GET only (405), JSON answers and JSON errors (503 with Retry-After
// while the job database is out of reach).
export function httpHandler(deps: HttpDeps): http.RequestListener {
  const dashboard = dashboardHandler();
  return (req, res) => {
    void (async () => {
      const refused = deps.guard.check(req.headers);
      if (refused) return send(res, 403, { error: refused });
      if (await dashboard(req, res)) return;
      const token = bearerToken(req.headers.authorization);
      if (!deps.tokens.roleOf(token)) {
        if ((await deps.throttle.failed(req.socket.remoteAddress ?? 'unknown')) === 'crowded') {
          return send(res, 429, { error: 'Too many failed logins are waiting for their answer; try again later' }, { 'retry-after': String(Math.max(1, Math.ceil(deps.throttle.maxMs / 1000))) });
        }
        return send(res, 401, { error: 'A valid token is required: Authorization: Bearer <token>' }, { 'www-authenticate': 'Bearer' });
      }
      const refusal = deps.limits.http(token!);
      if (refusal) return send(res, 429, { error: refusal.error }, { 'retry-after': String(Math.max(1, Math.ceil(refusal.retryAfterMs / 1000))) });
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'The API is read-only' }, { allow: 'GET, HEAD' });
      // Each connection is a client of its own: its requests take turns with everyone else's.
      send(res, 200, await deps.turns.run(req.socket, () => route(deps, new URL(req.url ?? '/', 'http://hub'))));
    })().catch((err: unknown) => {
      if (err instanceof HttpError) return send(res, err.status, { error: err.message });
      deps.log(`HTTP ${req.method} ${req.url}: ${messageOf(err)}`);
      if (res.headersSent) return;
      // The database is away for now, or lost (and the hub about to be started again): the client
      // is told why, and when to ask again.
      if (err instanceof StoreUnavailable || isLost(err)) return send(res, 503, { error: messageOf(err) }, { 'retry-after': String(RETRY_AFTER_S) });
      send(res, 500, { error: 'Internal error' });
    });
  };
}
