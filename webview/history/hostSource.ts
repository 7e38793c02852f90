// The history of the VS Code tab: pages and live changes come from the extension host (which
// reads the hub), and opening, rerunning and deleting are done by the host.
import { assertNever } from '../../src/shared/errors';
import type { HubJob } from '../../src/shared/hubProtocol';
import { isHistoryToWebviewMessage, type HistoryToHostMessage, type HistoryToWebviewMessage } from '../../src/shared/historyProtocol';
import { isActive, type JobQuery } from '../../src/shared/jobs';
import type { HistoryPage, HistorySource, JobChange } from '../lib/history/source';
import type { Transport } from '../lib/transport';

export interface HostSource extends HistorySource {
  /** Whether a hub answers, and why not; called now and on every change. */
  onConnection(listener: (connected: boolean, message?: string) => void): () => void;
}

export function hostSource(transport: Transport<HistoryToHostMessage, unknown>): HostSource {
  let nextRequest = 1;
  // Requests that wait for their answer, by requestId: a page of history, or a deletion.
  const pending = new Map<number, { resolve: (answer: unknown) => void; reject: (error: Error) => void }>();
  const jobListeners = new Set<(change: JobChange) => void>();
  const connectionListeners = new Set<(connected: boolean, message?: string) => void>();

  const answer = (requestId: number, settle: (waiting: { resolve: (answer: unknown) => void; reject: (error: Error) => void }) => void): void => {
    const waiting = pending.get(requestId);
    pending.delete(requestId);
    if (waiting) settle(waiting);
  };
  const request = <T>(post: (requestId: number) => HistoryToHostMessage): Promise<T> => {
    const requestId = nextRequest++;
    return new Promise<T>((resolve, reject) => {
      pending.set(requestId, { resolve: resolve as (answer: unknown) => void, reject });
      transport.post(post(requestId));
    });
  };

  transport.onMessage((raw) => {
    if (!isHistoryToWebviewMessage(raw)) return;
    const message: HistoryToWebviewMessage = raw;
    switch (message.type) {
      case 'history/page':
        return answer(message.requestId, (w) => w.resolve({ jobs: message.jobs, ...(message.nextCursor ? { nextCursor: message.nextCursor } : {}) }));
      case 'history/error':
        return answer(message.requestId, (w) => w.reject(new Error(message.message)));
      case 'history/deleted':
        return answer(message.requestId, (w) => w.resolve(message.deleted));
      case 'history/job': {
        const change = changeOf(message.job);
        for (const listener of jobListeners) listener(change);
        return;
      }
      case 'history/connection':
        for (const listener of connectionListeners) listener(message.connected, message.message);
        return;
      default:
        assertNever(message);
    }
  });

  return {
    list: (query: JobQuery) => request<HistoryPage>((requestId) => ({ type: 'history/list', requestId, query })),
    onJob(listener) {
      jobListeners.add(listener);
      return () => jobListeners.delete(listener);
    },
    onConnection(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
    open: (jobId) => transport.post({ type: 'history/open', jobId }),
    rerun: (job) => transport.post({ type: 'history/rerun', jobId: job.id }),
    copyCommand: (job) => transport.post({ type: 'history/copy-command', jobId: job.id }),
    // The host asks the user first: false when they kept it.
    delete: (jobId) => request<boolean>((requestId) => ({ type: 'history/delete', requestId, jobId })),
  };
}

/** The host sends whole jobs; the components take starts whole and ends by id. */
function changeOf(job: HubJob): JobChange {
  if (isActive(job.status)) return { type: 'started', job };
  const finishedAt = job.finishedAt ?? Date.now();
  return { type: 'ended', ended: { id: job.id, status: job.status, exitCode: job.exitCode ?? null, signal: job.signal ?? null, finishedAt, durationMs: job.durationMs ?? finishedAt - job.startedAt } };
}
