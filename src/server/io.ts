import type http from 'node:http';
import { Server, type ServerOptions } from 'socket.io';
import type { JobStore } from '../core/store/jobStore';
import type { CatalogSnapshot } from '../shared/catalog';
import { messageOf } from '../shared/errors';
import {
  EVENTS_MAX_BYTES,
  HUB_MAX_MESSAGE_BYTES,
  HUB_NAMESPACE,
  isCancelRequest,
  isCatalogSnapshot,
  isJobEventsRequest,
  isJobId,
  isJobInfo,
  isJobListRequest,
  isJoinJobRequest,
  isReportChunks,
  isReportFinished,
  type Ack,
  type ClientToServerEvents,
  type JobEventsRequest,
  type ServerToClientEvents,
} from '../shared/hubProtocol';
import type { LoginThrottle, RequestGuard, TokenChecker } from './auth';
import { cancelJob } from './cancel';
import type { LiveJobs } from './liveJobs';
import { ALL_JOBS_ROOM, jobRoom, type HubNamespace, type HubSocket, type InterHubEvents, type SocketData } from './types';

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
}

type Handler = (payload: never) => Promise<Ack<object>>;

// Registers one event: checks the role and the payload's shape, runs the handler, and answers
// through the ack when the client gave one, else as `job:error` (only failures). Nothing a client
// sends can throw out of here.
/** Who may send an event: anyone, operators, or operators with their reports kept in order. */
type Access = 'viewer' | 'operator' | 'report';

function on(socket: HubSocket, event: keyof ClientToServerEvents, check: (v: unknown) => boolean, handler: Handler, access: Access = 'viewer'): void {
  const raw = socket as unknown as { on(event: string, listener: (...args: unknown[]) => void): void };
  raw.on(event, (...args: unknown[]) => {
    const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (answer: Ack<object>) => void) : undefined;
    const payload = args[0];
    const run = async (): Promise<Ack<object>> => {
      if (access !== 'viewer' && socket.data.role !== 'operator') return { ok: false, error: `${event} needs an operator token` };
      if (args.length !== 1 || !check(payload)) return { ok: false, error: `Malformed ${event}` };
      return handler(payload as never);
    };
    // Reports of one socket are handled one after another, in the order they came.
    const queued = access === 'report' ? (socket.data as SocketData & { queue?: Promise<unknown> }) : undefined;
    const previous = queued?.queue ?? Promise.resolve();
    const answered = previous
      .then(run)
      .catch((err: unknown): Ack => ({ ok: false, error: messageOf(err) }))
      .then((answer) => {
        if (ack) ack(answer);
        else if (!answer.ok) {
          const jobId = typeof payload === 'string' ? payload : (payload as { jobId?: unknown } | undefined)?.jobId;
          socket.emit('job:error', { ...(isJobId(jobId) ? { jobId } : {}), message: answer.error });
        }
      });
    if (queued) queued.queue = answered;
  });
}

const idOf = (request: string | { jobId: string }): string => (typeof request === 'string' ? request : request.jobId);

// The Socket.io server on the hub's HTTP server: namespace /jobs only, token in the handshake,
// Host and Origin checked on every request (polling and upgrade), messages limited to 2 MB.
export function attachIo(server: http.Server, deps: IoDeps): { io: Server; nsp: HubNamespace; liveJobs: LiveJobs } {
  const io = new Server<ClientToServerEvents, ServerToClientEvents, InterHubEvents, SocketData>(server, {
    ...(deps.adapter ? { adapter: deps.adapter } : {}),
    maxHttpBufferSize: HUB_MAX_MESSAGE_BYTES,
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
    const auth = socket.handshake.auth as { token?: unknown; reporter?: unknown };
    const role = deps.tokens.roleOf(auth.token);
    if (!role) {
      void deps.throttle.failed(socket.handshake.address).then(() => next(new Error('unauthorized')));
      return;
    }
    const reporter = typeof auth.reporter === 'string' && auth.reporter.length > 0 && auth.reporter.length <= 200 ? auth.reporter : socket.id;
    socket.data = { role, reporter };
    next();
  });

  nsp.on('connection', (socket) => {
    void socket.join(ALL_JOBS_ROOM);
    const store = deps.store;

    on(socket, 'join-job', isJoinJobRequest, async (request: string | { jobId: string; fromSeq?: number }) =>
      liveJobs.join(socket, idOf(request), typeof request === 'string' ? undefined : request.fromSeq),
    );
    on(socket, 'leave-job', isJobId, async (jobId: string) => {
      await socket.leave(jobRoom(jobId));
      return { ok: true };
    });
    on(socket, 'jobs:list', isJobListRequest, async (query) => {
      await liveJobs.stored();
      return { ok: true, ...(await store.listJobs(query)) };
    });
    on(socket, 'jobs:get', isJobId, async (jobId: string) => {
      await liveJobs.stored();
      const job = await store.getJob(jobId);
      return job ? { ok: true, job } : { ok: false, error: `No job ${jobId}` };
    });
    on(socket, 'jobs:events', isJobEventsRequest, async (r: JobEventsRequest) => {
      // Like jobs:get, so that a job read as finished has all of its output to read.
      await liveJobs.stored();
      const page = { limit: r.limit ?? 1000, maxBytes: r.maxBytes ?? EVENTS_MAX_BYTES };
      const chunks =
        r.beforeSeq === undefined
          ? await store.readEvents(r.jobId, r.fromSeq ?? 0, page)
          : await store.readEventsBefore(r.jobId, r.beforeSeq === 'end' ? undefined : r.beforeSeq, page);
      return { ok: true, chunks };
    });
    on(
      socket,
      'jobs:delete',
      isJobId,
      async (jobId: string) => {
        const job = await store.getJob(jobId);
        if (!job) return { ok: false, error: `No job ${jobId}` };
        // Its reporter would keep writing into a job that is gone.
        if (job.status === 'running') return { ok: false, error: `Job ${jobId} is running: cancel it first` };
        await store.deleteJob(jobId);
        return { ok: true };
      },
      'operator',
    );

    on(socket, 'report:started', isJobInfo, (job) => liveJobs.started(socket, job), 'report');
    on(socket, 'report:chunks', isReportChunks, (r: { jobId: string; chunks: [] }) => liveJobs.chunks(socket, r.jobId, r.chunks), 'report');
    on(socket, 'report:finished', isReportFinished, (r: { jobId: string; result: never }) => liveJobs.finished(socket, r.jobId, r.result), 'report');
    // Not queued behind the socket's job reports: it is independent of them, and the store
    // applies concurrent catalogs one at a time.
    on(
      socket,
      'report:catalog',
      isCatalogSnapshot,
      async (snapshot: CatalogSnapshot) => {
        await store.syncCatalog(snapshot);
        return { ok: true };
      },
      'operator',
    );
    on(
      socket,
      'cancel-job',
      isCancelRequest,
      (request: string | { jobId: string }) => cancelJob(liveJobs, idOf(request)),
      'operator',
    );

    socket.on('disconnect', () => liveJobs.disconnected(socket));
  });

  return { io, nsp, liveJobs };
}
