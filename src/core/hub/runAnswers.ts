// The hub asks this window to run a target (an operator asked for it on the dashboard or with
// `jobs:run`): the request is read like any other input from the hub, and the answer is the new
// job's id or why it was not run.
import type { Ack, RunRequest } from '../../shared/hubProtocol';
import { messageOf } from '../../shared/errors';
import { parseRunRequest } from '../../shared/schema';

/** Runs a request of the hub; resolves with the job's id or the reason it was refused. */
export type RunJob = (request: RunRequest) => Promise<Ack<{ jobId: string }>>;

export async function answerRun(request: unknown, reply: (answer: Ack<{ jobId: string }>) => void, run: RunJob | undefined): Promise<void> {
  const parsed = parseRunRequest(request);
  if (!parsed.ok) return reply({ ok: false, error: parsed.error });
  if (!run) return reply({ ok: false, error: 'This window does not take runs from the hub' });
  try {
    reply(await run(parsed.value));
  } catch (err) {
    reply({ ok: false, error: messageOf(err) });
  }
}
