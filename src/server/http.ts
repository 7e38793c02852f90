import type http from 'node:http';
import type { JobStore } from '../core/store/jobStore';
import { messageOf } from '../shared/errors';
import { EVENTS_MAX_BYTES, EVENTS_MAX_CHUNKS, isJobListRequest, type JobListRequest } from '../shared/hubProtocol';
import { bearerToken, type LoginThrottle, type RequestGuard, type TokenChecker } from './auth';
import { dashboardHandler } from './dashboard';

/** What the HTTP API works with. */
export interface HttpDeps {
  guard: RequestGuard;
  tokens: TokenChecker;
  throttle: LoginThrottle;
  store: JobStore;
  log: (message: string) => void;
}

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

/** Epoch ms, or a date that Date.parse reads. */
function time(name: string, text: string): number {
  const n = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(n)) throw new HttpError(400, `Expected ${name} in epoch milliseconds or as an ISO date, got ${JSON.stringify(text)}`);
  return n;
}

function whole(name: string, text: string | null, min: number, max: number): number | undefined {
  if (text === null) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new HttpError(400, `Expected ${name} to be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
  return n;
}

/** The history filters of `/api/jobs`. */
function jobQuery(params: URLSearchParams): JobListRequest {
  const query: Record<string, unknown> = {};
  const status = params.get('status');
  if (status !== null) query.status = status.includes(',') ? status.split(',') : status;
  for (const key of ['kind', 'alias', 'vm', 'text', 'cursor'] as const) {
    const value = params.get(key);
    if (value !== null) query[key] = value;
  }
  for (const key of ['from', 'to'] as const) {
    const value = params.get(key);
    if (value !== null) query[key] = time(key, value);
  }
  const limit = whole('limit', params.get('limit'), 1, 500);
  if (limit !== undefined) query.limit = limit;
  if (!isJobListRequest(query)) throw new HttpError(400, 'Expected status and kind to be known values');
  return query;
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
    const targets = await deps.store.listTargets(id);
    if (!targets) throw new HttpError(404, `No project ${id}`);
    return { targets };
  }
  if (resource === 'vms' && id === undefined) return { vms: await deps.store.listVms() };
  if (resource === 'jobs' && id === undefined) {
    try {
      return await deps.store.listJobs(jobQuery(url.searchParams));
    } catch (err) {
      if (err instanceof HttpError) throw err;
      if (/cursor/i.test(messageOf(err))) throw new HttpError(400, messageOf(err));
      throw err;
    }
  }
  if (resource === 'jobs' && sub === undefined) {
    const job = await deps.store.getJob(id);
    if (!job) throw new HttpError(404, `No job ${id}`);
    return { job };
  }
  if (resource === 'jobs' && sub === 'events') {
    const params = url.searchParams;
    const fromSeq = whole('fromSeq', params.get('fromSeq'), 0, 2 ** 31 - 1);
    const before = params.get('beforeSeq');
    const beforeSeq = before === 'end' ? undefined : whole('beforeSeq', before, 0, 2 ** 31 - 1);
    if (before !== null && fromSeq !== undefined) throw new HttpError(400, 'Give fromSeq or beforeSeq, not both');
    const page = { limit: whole('limit', params.get('limit'), 1, EVENTS_MAX_CHUNKS) ?? 1000, maxBytes: whole('maxBytes', params.get('maxBytes'), 1, EVENTS_MAX_BYTES) ?? EVENTS_MAX_BYTES };
    if (!(await deps.store.getJob(id))) throw new HttpError(404, `No job ${id}`);
    if (before !== null) return { chunks: await deps.store.readEventsBefore(id, beforeSeq, page) };
    const chunks = await deps.store.readEvents(id, fromSeq ?? 0, page);
    return { chunks, nextSeq: chunks.length > 0 ? chunks[chunks.length - 1].seq + 1 : (fromSeq ?? 0) };
  }
  throw new HttpError(404, 'Not found');
}

// The read-only HTTP API: Host and Origin checked first (403), then the dashboard page (no token:
// it holds no data), then the Bearer token (401, failed attempts slowed down), GET only (405),
// JSON answers and JSON errors.
export function httpHandler(deps: HttpDeps): http.RequestListener {
  const dashboard = dashboardHandler();
  return (req, res) => {
    void (async () => {
      const refused = deps.guard.check(req.headers);
      if (refused) return send(res, 403, { error: refused });
      if (await dashboard(req, res)) return;
      if (!deps.tokens.roleOf(bearerToken(req.headers.authorization))) {
        await deps.throttle.failed(req.socket.remoteAddress ?? 'unknown');
        return send(res, 401, { error: 'A valid token is required: Authorization: Bearer <token>' }, { 'www-authenticate': 'Bearer' });
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'The API is read-only' }, { allow: 'GET, HEAD' });
      send(res, 200, await route(deps, new URL(req.url ?? '/', 'http://hub')));
    })().catch((err: unknown) => {
      if (err instanceof HttpError) return send(res, err.status, { error: err.message });
      deps.log(`HTTP ${req.method} ${req.url}: ${messageOf(err)}`);
      if (!res.headersSent) send(res, 500, { error: 'Internal error' });
    });
  };
}
