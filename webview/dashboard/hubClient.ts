// The dashboard's connection to the hub it was served by, and the history read through it.
import { io, type Socket } from 'socket.io-client';
import { HUB_NAMESPACE, type Ack, type ClientToServerEvents, type HubJob, type ServerToClientEvents } from '../../src/shared/hubProtocol';
import type { JobInfo } from '../../src/shared/jobs';
import { formatCommand } from '../../src/shared/format';
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

/** A stored job; throws when there is none. */
export async function readJob(socket: HubClient, jobId: string): Promise<HubJob> {
  return unwrap(await socket.timeout(ASK_TIMEOUT_MS).emitWithAck('jobs:get', jobId)).job;
}

/** How long after `job:done` the stored end is first read; each further try waits this much longer. */
const STORED_END_MS = 1000;
const STORED_END_TRIES = 5;

/**
 * The job as stored once it ended, with its exact duration, or undefined. The hub tells of an end
 * a moment before it has stored it (longer when another hub heard it), so this tries a few times.
 */
export async function readStoredEnd(socket: HubClient, jobId: string): Promise<HubJob | undefined> {
  for (let attempt = 1; attempt <= STORED_END_TRIES; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, STORED_END_MS * attempt));
    const job = await readJob(socket, jobId).catch(() => undefined);
    if (job && job.status !== 'running') return job;
  }
  return undefined;
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
      let listening = true;
      const started = (job: JobInfo) => listener({ type: 'started', job: listed(job) } satisfies JobChange);
      const done: ServerToClientEvents['job:done'] = (e) => {
        listener({ type: 'ended', ended: { id: e.jobId, status: e.status, exitCode: e.exitCode, finishedAt: Date.now() } });
        // Then the end as stored: the duration the job's own window measured, not when the page heard of it.
        void readStoredEnd(socket, e.jobId).then((job) => {
          if (!job || !listening || job.status === 'running') return;
          listener({ type: 'ended', ended: { id: job.id, status: job.status, exitCode: job.exitCode ?? null, finishedAt: job.finishedAt ?? Date.now(), durationMs: job.durationMs } });
        });
      };
      socket.on('job:started', started);
      socket.on('job:done', done);
      return () => {
        listening = false;
        socket.off('job:started', started);
        socket.off('job:done', done);
      };
    },
    open,
    copyCommand: (job) => navigator.clipboard.writeText(job.command),
  };
}
