import type { Ack } from '../shared/hubProtocol';
import type { HubSocket } from './types';

/** How long an operator has to answer a cancel asked on its own hub. */
const CANCEL_TIMEOUT_MS = 10_000;
/** Asked by another hub, it must answer before that hub's adapter stops waiting (5 s). */
export const PEER_CANCEL_TIMEOUT_MS = 4_000;

/** Where a job's window may be: connected here, or to another hub. */
export interface CancelRoute {
  ownerOf(jobId: string): HubSocket | undefined;
  peers: { cancel(jobId: string): Promise<Ack | undefined> };
}

// Forwards a cancel to the operator socket that reports the job and waits for its answer.
export async function askOwner(owner: HubSocket, jobId: string, timeoutMs: number): Promise<Ack> {
  try {
    const answer: unknown = await owner.timeout(timeoutMs).emitWithAck('cancel-job', { jobId });
    const ok = typeof answer === 'object' && answer !== null && (answer as { ok?: unknown }).ok === true;
    return ok ? { ok: true } : { ok: false, error: `The window that runs job ${jobId} did not cancel it` };
  } catch {
    return { ok: false, error: `The window that runs job ${jobId} did not answer the cancel` };
  }
}

// Cancels a job through the window that runs it, whichever hub that window is connected to.
export async function cancelJob(route: CancelRoute, jobId: string): Promise<Ack> {
  const owner = route.ownerOf(jobId);
  if (owner) return askOwner(owner, jobId, CANCEL_TIMEOUT_MS);
  return (await route.peers.cancel(jobId)) ?? { ok: false, error: `No connected window runs job ${jobId}` };
}
