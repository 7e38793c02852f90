// The history of the VS Code tab: pages and live changes come from the extension host (which
// reads the hub), and opening, rerunning and deleting are done by the host.
import type { HubJob } from '../../src/shared/hubProtocol';
import { isHistoryToWebviewMessage, type HistoryToHostMessage, type HistoryToWebviewMessage } from '../../src/shared/historyProtocol';
import type { JobQuery } from '../../src/shared/jobs';
import type { HistoryPage, HistorySource, JobChange } from '../lib/history/source';
import type { Transport } from '../lib/transport';

export interface HostSource extends HistorySource {
  /** Whether a hub answers, and why not; called now and on every change. */
  onConnection(listener: (connected: boolean, message?: string) => void): () => void;
}

export function hostSource(transport: Transport<HistoryToHostMessage, unknown>): HostSource {
  let nextRequest = 1;
  const pending = new Map<number, { resolve: (page: HistoryPage) => void; reject: (error: Error) => void }>();
  const jobListeners = new Set<(change: JobChange) => void>();
  const connectionListeners = new Set<(connected: boolean, message?: string) => void>();
  const deleted = new Map<string, () => void>();

  transport.onMessage((raw) => {
    if (!isHistoryToWebviewMessage(raw)) return;
    const message: HistoryToWebviewMessage = raw;
    switch (message.type) {
      case 'history/page':
        pending.get(message.requestId)?.resolve({ jobs: message.jobs, ...(message.nextCursor ? { nextCursor: message.nextCursor } : {}) });
        pending.delete(message.requestId);
        break;
      case 'history/error':
        pending.get(message.requestId)?.reject(new Error(message.message));
        pending.delete(message.requestId);
        break;
      case 'history/job': {
        const change = changeOf(message.job);
        for (const listener of jobListeners) listener(change);
        break;
      }
      case 'history/deleted':
        deleted.get(message.jobId)?.();
        deleted.delete(message.jobId);
        break;
      case 'history/connection':
        for (const listener of connectionListeners) listener(message.connected, message.message);
        break;
    }
  });

  return {
    list(query: JobQuery) {
      const requestId = nextRequest++;
      return new Promise<HistoryPage>((resolve, reject) => {
        pending.set(requestId, { resolve, reject });
        transport.post({ type: 'history/list', requestId, query });
      });
    },
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
    // Resolves once the host deleted it; the host asks the user first, who may say no.
    delete: (jobId) =>
      new Promise<void>((resolve) => {
        deleted.set(jobId, resolve);
        transport.post({ type: 'history/delete', jobId });
      }),
  };
}

/** The host sends whole jobs; the components take starts whole and ends by id. */
function changeOf(job: HubJob): JobChange {
  if (job.status === 'running') return { type: 'started', job };
  const finishedAt = job.finishedAt ?? Date.now();
  return { type: 'ended', ended: { id: job.id, status: job.status, exitCode: job.exitCode ?? null, signal: job.signal ?? null, finishedAt, durationMs: job.durationMs ?? finishedAt - job.startedAt } };
}
