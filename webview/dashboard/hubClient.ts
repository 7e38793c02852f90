// The dashboard's connection to the hub it was served by, and the history read through it.
import { io, type Socket } from 'socket.io-client';
import { HUB_NAMESPACE, type Ack, type ClientToServerEvents, type HubJob, type ServerToClientEvents } from '../../src/shared/hubProtocol';
import type { JobInfo } from '../../src/shared/jobs';
import { formatCommand } from '../lib/format';
import type { HistorySource, JobChange } from '../lib/history/source';

export type HubClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/** How long a query may go unanswered before it counts as failed. */
export const ASK_TIMEOUT_MS = 20_000;

/** What the hub's namespace middleware answers a token it does not know. */
export const UNAUTHORIZED = 'unauthorized';

/** A Socket.io client of /jobs on the page's own origin; the token goes in the handshake only. */
export function connectHub(origin: string, token: string): HubClient {
  return io(`${origin}${HUB_NAMESPACE}`, { auth: { token }, reconnectionDelayMax: 5000 });
}

/** The answer's payload, or its error thrown. */
export function unwrap<T extends object>(answer: Ack<T>): T {
  if (!answer.ok) throw new Error(answer.error);
  return answer;
}

/** A started job as the store lists it: its command line quoted as the store quotes it. */
function listed(job: JobInfo): HubJob {
  return { ...job, command: formatCommand(job.argv) };
}

/** The history of the hub: pages by `jobs:list`, live changes from `job:started` and `job:done`. */
export function hubHistory(socket: HubClient, open: (jobId: string) => void): HistorySource {
  return {
    async list(query) {
      const { jobs, nextCursor } = unwrap(await socket.timeout(ASK_TIMEOUT_MS).emitWithAck('jobs:list', query));
      return { jobs, nextCursor };
    },
    onJob(listener) {
      const started = (job: JobInfo) => listener({ type: 'started', job: listed(job) } satisfies JobChange);
      const done: ServerToClientEvents['job:done'] = (e) =>
        listener({ type: 'ended', ended: { id: e.jobId, status: e.status, exitCode: e.exitCode, finishedAt: Date.now() } });
      socket.on('job:started', started);
      socket.on('job:done', done);
      return () => {
        socket.off('job:started', started);
        socket.off('job:done', done);
      };
    },
    open,
    copyCommand: (job) => navigator.clipboard.writeText(job.command),
  };
}
