// The dashboard's connection to the hub it was served by, and the history read through it.
import { io } from 'socket.io-client';
import { ask, type AskAnswer, type AskPayload, type HubClientSocket } from '../../src/shared/ask';
import { HUB_NAMESPACE, HUB_PROTOCOL, RUN_CONSENT_MS, type HubJob, type RunRequest, type ServerToClientEvents } from '../../src/shared/hubProtocol';
import type { JobInfo } from '../../src/shared/jobs';
import { formatCommand } from '../../src/shared/format';
import type { HistorySource, JobChange } from '../lib/history/source';

export type HubClient = HubClientSocket;

/** How long a query may go unanswered before it counts as failed. */
export const ASK_TIMEOUT_MS = 20_000;

/** What the hub's namespace middleware answers a token it does not know. */
export const UNAUTHORIZED = 'unauthorized';

/**
 * A Socket.io client of /jobs on the page's own origin, at `socket.io/` beside the page: the hub's
 * own at its root, or the hub's behind a proxy's prefix (code-server's /proxy/<port>/). The token
 * goes in the handshake only.
 */
export function connectHub(pageUrl: string, token: string): HubClient {
  const page = new URL(pageUrl);
  return io(`${page.origin}${HUB_NAMESPACE}`, { path: new URL('socket.io/', page).pathname, auth: { token, protocol: HUB_PROTOCOL }, reconnectionDelayMax: 5000 });
}

/** One query of the page, answered within ASK_TIMEOUT_MS. */
export function query<E extends 'jobs:get' | 'jobs:list' | 'jobs:events' | 'join-job'>(socket: HubClient, event: E, payload: AskPayload<E>): Promise<AskAnswer<E>> {
  return ask(socket, event, payload, ASK_TIMEOUT_MS);
}

/** A stored job; throws when there is none. */
export async function readJob(socket: HubClient, jobId: string): Promise<HubJob> {
  return (await query(socket, 'jobs:get', jobId)).job;
}

/** A started job as the store lists it: its command line quoted as the store quotes it. */
function listed(job: JobInfo): HubJob {
  return { ...job, command: formatCommand(job.argv) };
}

/** The history of the hub: pages by `jobs:list`, live changes from `job:started` and `job:done`. */
export function hubHistory(socket: HubClient, open: (jobId: string) => void): HistorySource {
  return {
    async list(q) {
      const { jobs, nextCursor } = await query(socket, 'jobs:list', q);
      return { jobs, nextCursor };
    },
    onJob(listener) {
      const started = (job: JobInfo) => listener({ type: 'started', job: listed(job) } satisfies JobChange);
      const done: ServerToClientEvents['job:done'] = ({ jobId, ...result }) => listener({ type: 'ended', ended: { id: jobId, ...result } });
      socket.on('job:started', started);
      socket.on('job:done', done);
      return () => {
        socket.off('job:started', started);
        socket.off('job:done', done);
      };
    },
    open,
    copyCommand: (job) => navigator.clipboard.writeText(formatCommand(job.argv)),
  };
}

/** How long a run may take to be started: the hub asks each window in turn, whose user has RUN_CONSENT_MS to confirm it. */
const RUN_TIMEOUT_MS = 3 * RUN_CONSENT_MS;

/** Asks the hub to run a target in a window that has the project; resolves with the job's id. */
export async function startRun(socket: HubClient, request: RunRequest): Promise<string> {
  return (await ask(socket, 'jobs:run', request, RUN_TIMEOUT_MS)).jobId;
}

/** One resource of the hub's read-only API, as the token on this page may read it; `apiPath` is relative to the page (`api/vms`), as the page is to the hub. */
export async function readApi<T>(token: string, apiPath: string): Promise<T> {
  const response = await fetch(apiPath, { headers: { authorization: `Bearer ${token}` } });
  const body = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new Error(body.error ?? `${apiPath}: HTTP ${response.status}`);
  return body;
}
