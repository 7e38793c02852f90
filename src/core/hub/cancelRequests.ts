// The hub asks a reporter to cancel one of its jobs (a user asked for it in another window or on
// the dashboard): the answer says whether it was.
import type { Ack, CancelRequest } from '../../shared/hubProtocol';

/** Cancels a job of this window; false (or a throw) when it could not be. */
export type CancelJob = (jobId: string) => boolean | void | Promise<boolean | void>;

export async function answerCancel(request: CancelRequest | undefined, reply: (answer: Ack) => void, runs: (jobId: string) => boolean, cancel: CancelJob | undefined): Promise<void> {
  const jobId = request?.jobId;
  if (typeof jobId !== 'string' || !runs(jobId)) return reply({ ok: false, error: `This window runs no job ${String(jobId)}` });
  try {
    const done = await cancel?.(jobId);
    reply(done === false || !cancel ? { ok: false, error: `Job ${jobId} could not be canceled` } : { ok: true });
  } catch (err) {
    reply({ ok: false, error: (err as Error).message });
  }
}
