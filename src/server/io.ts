import { isActive } from '../shared/jobs';
import type http from 'node:http';
import { Server, type ServerOptions } from 'socket.io';
import { WebSocketServer, type ServerOptions as WsOptions } from 'ws';
import type { JobStore } from '../core/store/jobStore';
import { messageOf } from '../shared/errors';
import { EVENTS_MAX_BYTES, HUB_MAX_MESSAGE_BYTES, HUB_NAMESPACE, HUB_PROTOCOL, type Ack, type ClientToServerEvents, type ServerToClientEvents } from '../shared/hubProtocol';
import { parseCatalog, parseEventsQuery, parseJobInfo, parseJobQuery, parseJobRef, parseJoinRequest, parseReportChunks, parseReportFinished, parseRunRequest } from '../shared/schema';
import { cleanText, type Parsed } from '../shared/schemaFields';
import type { LoginThrottle, RequestGuard, TokenChecker } from './auth';
import { cancelJob } from './cancel';
import { keyHashOf } from './jobOwners';
import { forwardRun } from './runRequests';
import type { FairTurns } from './fairTurns';
import type { LiveJobs } from './liveJobs';
import { RateLimits, type SocketMeter } from './rateLimits';
import { SocketLanes } from './socketLanes';
import { ALL_JOBS_ROOM, jobRoom, type HubNamespace, type HubSocket, type InterHubEvents, type SocketData, type WireEvents } from './types';

/** What the Socket.io side of the hub works with. */
export interface IoDeps {
  guard: RequestGuard;
  tokens: TokenChecker;
  throttle: LoginThrottle;
  store: JobStore;
  /** Created once the namespace exists. */
  liveJobs: (nsp: HubNamespace) => LiveJobs;
  /** Shares broadcasts and server-side events with other hubs; default: this hub alone. */
  adapter?: ServerOptions['adapter'];
  limits: RateLimits;
  /** The turns in which clients' reads reach the store. */
  turns: FairTurns;
}

/** Who may send an event: anyone, operators, or operators with their reports kept in order. */
type Access = 'viewer' | 'operator' | 'report';

/** One connected client: its socket, its rate meter, its queues of work, and when it was last sent a `job:error` about a refusal. */
interface Client {
  socket: HubSocket;
  meter: SocketMeter;
  lanes: SocketLanes;
  noticeAt: number;
}

/** The answer a client's event expects, as ClientToServerEvents declares it. */
type AnswerOf<E extends keyof ClientToServerEvents> = Parameters<NonNullable<Parameters<ClientToServerEvents[E]>[1]>>[0];

const isAckFunction = (v: unknown): v is (answer: Ack<object>) => void => typeof v === 'function';

/** `job:error` about refused events without an ack goes to a client at most this often. */
const REFUSAL_NOTICE_MS = 1000;

// A report whose handling failed (the store could not be read or written: a database restarting or
// frozen) is not refused, which would make its reporter forget the job and its output, but asked
// again after this long; refusals of what a report says are answers, not failures.
const FAILED_REPORT_RETRY_MS = 1000;

// Registers one event: checks the role, reads the payload through its parser (the one definition
// of a valid value: a refusal names the field), runs the handler in the socket's lane, and answers
// through the ack when the client gave one, else as `job:error` (only failures). Nothing a client
// sends can throw out of here.
function on<E extends keyof ClientToServerEvents, T>(client: Client, event: E, parse: (v: unknown) => Parsed<T>, handler: (value: T) => Promise<AnswerOf<E> & Ack<object>>, access: Access = 'viewer'): void {
  const { socket, lanes } = client;
  const name: keyof ClientToServerEvents = event;
  socket.on(name, (...args: unknown[]) => {
    const last = args[args.length - 1];
    const ack = isAckFunction(last) ? last : undefined;
    if (ack) args.pop();
    const payload = args[0];
    const run = async (): Promise<Ack<object>> => {
      if (access !== 'viewer' && socket.data.role !== 'operator') return { ok: false, error: `${event} needs an operator token` };
      if (args.length !== 1) return { ok: false, error: `Malformed ${event}: expected one payload, got ${args.length}` };
      const parsed = parse(payload);
      if (!parsed.ok) return { ok: false, error: `Malformed ${event}: ${parsed.error}` };
      return handler(parsed.value);
    };
    const busy = (): Promise<Ack<object>> => Promise.resolve({ ok: false, error: `Too many requests waiting on this connection: ${event} refused; try again later`, retryAfterMs: 100 });
    const answered = access === 'report' ? lanes.report(run) : (lanes.query(run) ?? busy());
    void answered
      .catch((err: unknown): Ack => ({ ok: false, error: messageOf(err), ...(access === 'report' ? { retryAfterMs: FAILED_REPORT_RETRY_MS } : {}) }))
      .then((answer) => {
        if (ack) ack(answer);
        else if (answer.ok) return;
        // Refusals for load (no ack to answer) are told at most once a second, as in meterSocket().
        else if (answer.retryAfterMs === undefined) notifyError(socket, payload, answer.error);
        else if (Date.now() - client.noticeAt >= REFUSAL_NOTICE_MS) {
          client.noticeAt = Date.now();
          notifyError(socket, payload, answer.error);
        }
      });
  });
}

function notifyError(socket: HubSocket, payload: unknown, message: string): void {
  const jobId = typeof payload === 'string' ? payload : typeof payload === 'object' && payload !== null && 'jobId' in payload ? payload.jobId : undefined;
  socket.emit('job:error', { ...(typeof jobId === 'string' && jobId.length <= 100 ? { jobId } : {}), message });
}

// Counts every packet's bytes as it arrives, and meters every event before it is handled (charging
// it those bytes when it is taken, SocketMeter.admit): an event over the socket's or its token's
// limit is answered with the refusal (or one `job:error` a second) and goes no further; a socket
// that keeps on is disconnected.
function meterSocket(client: Client): void {
  const { socket, meter } = client;
  socket.conn.on('packet', (packet: { data?: unknown }) => {
    const data = packet.data;
    meter.received(typeof data === 'string' ? data.length : data instanceof Uint8Array ? data.byteLength : 0);
  });
  socket.use((args, next) => {
    const refusal = meter.admit(args[0]);
    if (!refusal) return next();
    const ack = args[args.length - 1];
    if (isAckFunction(ack)) ack({ ok: false, ...refusal });
    else if (Date.now() - client.noticeAt >= REFUSAL_NOTICE_MS) {
      client.noticeAt = Date.now();
      socket.emit('job:error', { message: refusal.error });
    }
    if (meter.exhausted) {
      socket.emit('job:error', { message: `${refusal.error}. Disconnected: this connection kept on sending over its limit.` });
      socket.disconnect(true);
    }
  });
}

// Emits each message of a WebSocket in a turn of the event loop of its own. By default ws emits
// every message of what it read at once (tens of kilobytes: a thousand small events of a flood) in
// one turn, and every other client waits for all of them.
class OneMessageATurn extends WebSocketServer {
  constructor(options: WsOptions) {
    super({ ...options, allowSynchronousEvents: false });
  }
}

// The Socket.io server on the hub's HTTP server: namespace /jobs only, token in the handshake,
// Host and Origin checked on every request (polling and upgrade), messages limited to 2 MB.
export function attachIo(server: http.Server, deps: IoDeps): { io: Server; nsp: HubNamespace; liveJobs: LiveJobs } {
  const io = new Server<WireEvents, ServerToClientEvents, InterHubEvents, SocketData>(server, {
    ...(deps.adapter ? { adapter: deps.adapter } : {}),
    maxHttpBufferSize: HUB_MAX_MESSAGE_BYTES,
    wsEngine: OneMessageATurn,
    serveClient: false,
    allowRequest: (req, callback) => {
      const refused = deps.guard.check(req.headers);
      callback(refused ?? null, refused === undefined);
    },
  });
  io.use((_socket, next) => next(new Error(`Connect to the ${HUB_NAMESPACE} namespace`)));
  const nsp = io.of(HUB_NAMESPACE);
  const liveJobs = deps.liveJobs(nsp);

  nsp.use((socket, next) => {
    const auth: Record<string, unknown> = socket.handshake.auth;
    const role = deps.tokens.roleOf(auth.token);
    if (!role) {
      // In the same line as the HTTP API's failures; refused as unauthorized also when the line is full.
      void deps.throttle.failed(socket.handshake.address).then(() => next(new Error('unauthorized')));
      return;
    }
    // Cleaned as the store cleans it, so that what watchers are told is what a later read finds.
    const given = typeof auth.reporter === 'string' && auth.reporter.length <= 200 ? cleanText(auth.reporter) : '';
    const reporter = given.length > 0 ? given : socket.id;
    const protocol = typeof auth.protocol === 'number' && Number.isInteger(auth.protocol) && auth.protocol >= 1 ? auth.protocol : 1;
    // A key that is not one is refused rather than taken for none: its window would report
    // unprotected jobs without knowing.
    const key = keyHashOf(auth.key);
    if (!key.ok) return next(new Error(`Malformed handshake: ${key.error}`));
    socket.data = { role, reporter, protocol, ...(key.value ? { keyHash: key.value } : {}) };
    next();
  });

  nsp.on('connection', (socket) => {
    // Before anything else this socket is sent: a reporter of version 4 sends output as bytes from then on.
    socket.emit('hub:hello', { protocol: HUB_PROTOCOL });
    void socket.join(ALL_JOBS_ROOM);
    const store = deps.store;
    const client: Client = { socket, meter: deps.limits.socket(String(socket.handshake.auth.token)), lanes: new SocketLanes(), noticeAt: 0 };
    meterSocket(client);
    // Waiting for pending writes takes no turn: only the reads themselves do.
    const read = <T>(query: () => Promise<T>): Promise<T> => deps.turns.run(socket, query);

    on(client, 'join-job', parseJoinRequest, (request) => liveJobs.join(socket, request.jobId, request.fromSeq));
    on(client, 'leave-job', parseJobRef, async (jobId) => {
      await socket.leave(jobRoom(jobId));
      return { ok: true };
    });
    on(client, 'jobs:list', parseJobQuery, async (query) => {
      await liveJobs.stored();
      return { ok: true, ...(await read(() => store.listJobs(query))) };
    });
    on(client, 'jobs:get', parseJobRef, async (jobId) => {
      await liveJobs.stored();
      const job = await read(() => store.getJob(jobId));
      return job ? { ok: true, job } : { ok: false, error: `No job ${jobId}` };
    });
    on(client, 'jobs:events', parseEventsQuery, async (r) => {
      // Like jobs:get, so that a job read as finished has all of its output to read.
      await liveJobs.stored();
      const page = { limit: r.limit ?? 1000, maxBytes: r.maxBytes ?? EVENTS_MAX_BYTES };
      const chunks = await read(() =>
        r.beforeSeq === undefined ? store.readEvents(r.jobId, r.fromSeq ?? 0, page) : store.readEventsBefore(r.jobId, r.beforeSeq === 'end' ? undefined : r.beforeSeq, page),
      );
      return { ok: true, chunks };
    });
    on(
      client,
      'jobs:delete',
      parseJobRef,
      async (jobId) => {
        const job = await store.getJob(jobId);
        if (!job) return { ok: false, error: `No job ${jobId}` };
        // Its reporter would keep writing into a job that is gone.
        if (isActive(job.status)) return { ok: false, error: `Job ${jobId} is ${job.status}: cancel it first` };
        await store.deleteJob(jobId);
        return { ok: true };
      },
      'operator',
    );

    on(client, 'report:started', parseJobInfo, (job) => liveJobs.started(socket, job), 'report');
    on(client, 'report:chunks', parseReportChunks, (r) => liveJobs.chunks(socket, r.jobId, r.chunks), 'report');
    on(client, 'report:finished', parseReportFinished, (r) => liveJobs.finished(socket, r.jobId, r.result), 'report');
    // Not queued behind the socket's job reports: it is independent of them, and the store
    // applies concurrent catalogs one at a time.
    on(
      client,
      'report:catalog',
      parseCatalog,
      async (snapshot) => {
        socket.data.catalog = { aliases: new Set(snapshot.projects.map((p) => p.alias)), vms: new Set(snapshot.vms.map((v) => `${v.environment}/${v.name}`)) };
        await store.syncCatalog(snapshot);
        return { ok: true };
      },
      'operator',
    );
    on(client, 'cancel-job', parseJobRef, (jobId) => cancelJob(liveJobs, jobId), 'operator');
    on(client, 'jobs:run', parseRunRequest, (request) => forwardRun(nsp, request), 'operator');

    socket.on('disconnect', () => liveJobs.disconnected(socket));
  });

  return { io, nsp, liveJobs };
}
