import type { Ack } from '../shared/hubProtocol';
import type { HubNamespace, PeerJobEvent } from './types';

/** What this hub answers the others. */
export interface PeerHandlers {
  job(event: PeerJobEvent): void;
  claims(jobIds: string[]): string[];
  /** null: the job's window is not connected here. */
  cancel(jobId: string): Promise<Ack | null>;
}

// The other hubs on the same PostgreSQL database, reached through the Socket.io adapter's
// server-side events. Without a cluster (PGlite, or one hub) there are none: nothing is sent,
// and every question has no answer to wait for.
export class Peers {
  constructor(
    private readonly nsp: HubNamespace,
    readonly enabled: boolean,
  ) {}

  /** How many hubs share live events, this one included. */
  count(): Promise<number> {
    return this.nsp.adapter.serverCount();
  }

  /** Tells the other hubs about a job reported here; nothing is published while this hub is alone. */
  send(event: PeerJobEvent): void {
    if (!this.enabled) return;
    // Every send takes the same turns before it publishes, so they leave in the order they came.
    void this.count().then((hubs) => {
      if (hubs > 1) this.nsp.serverSideEmit('hub:job', event);
    });
  }

  /** Of `jobIds`, those another live hub was reported; undefined when some hub did not answer in time. */
  claims(jobIds: string[]): Promise<Set<string> | undefined> {
    if (!this.enabled || jobIds.length === 0) return Promise.resolve(new Set());
    return new Promise((resolve) => {
      this.nsp.serverSideEmit('hub:claims', jobIds, (err: Error | null, answers: string[][]) => {
        resolve(err ? undefined : new Set(answers.flat().filter((id) => typeof id === 'string')));
      });
    });
  }

  // Asks the other hubs to cancel a job through the window that runs it. Undefined when no hub
  // has that window connected (or none answered within the adapter's 5 s).
  cancel(jobId: string): Promise<Ack | undefined> {
    if (!this.enabled) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.nsp.serverSideEmit('hub:cancel', jobId, (_err: Error | null, answers: (Ack | null)[]) => {
        const found = answers.filter((a): a is Ack => typeof a === 'object' && a !== null && typeof a.ok === 'boolean');
        resolve(found.find((a) => a.ok) ?? found[0]);
      });
    });
  }

  /** Answers the other hubs. */
  serve(handlers: PeerHandlers): void {
    if (!this.enabled) return;
    this.nsp.on('hub:job', (event) => handlers.job(event));
    this.nsp.on('hub:claims', (jobIds, answer) => answer(Array.isArray(jobIds) ? handlers.claims(jobIds) : []));
    this.nsp.on('hub:cancel', (jobId, answer) => {
      void handlers.cancel(jobId).then(answer, () => answer(null));
    });
  }
}
