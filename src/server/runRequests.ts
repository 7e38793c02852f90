import { RUN_CONSENT_MS, type Ack, type RunRequest } from '../shared/hubProtocol';
import { isUuid } from '../shared/schemaFields';
import type { HubNamespace, HubSocket } from './types';

/** The first protocol whose windows take `run-job`. */
const RUNS_FROM_PROTOCOL = 3;
/** How long a window has to answer: its user confirms the exact command, then it starts the job. */
const RUN_TIMEOUT_MS = RUN_CONSENT_MS + 5_000;

/** What a window last reported having, for routing `jobs:run`. */
export interface SocketCatalog {
  aliases: ReadonlySet<string>;
  /** `<environment>/<vm>`. */
  vms: ReadonlySet<string>;
}

// Runs a target through a window connected to this hub that reported the project (and the VM) in
// its catalog: each such window is asked in turn until one starts it. Each window decides for
// itself (its user must have allowed runs from the hub); when none does, the answer gives every
// window's reason. Windows connected to other hubs of a shared database are not asked.
export async function forwardRun(nsp: HubNamespace, request: RunRequest): Promise<Ack<{ jobId: string }>> {
  const windows = [...nsp.sockets.values()].filter((s) => canRun(s, request));
  const where = `${request.alias}${request.vm ? ` and the VM ${request.vm}` : ''}`;
  if (windows.length === 0) return { ok: false, error: `No window connected to this hub has the project ${where}` };
  const reasons: string[] = [];
  for (const window of windows) {
    const answer = await ask(window, request);
    if (answer.ok) return answer;
    if (answer.started) return { ok: false, error: answer.error };
    reasons.push(answer.error);
  }
  return { ok: false, error: [...new Set(reasons)].join('; ') };
}

function canRun(socket: HubSocket, request: RunRequest): boolean {
  const { role, protocol, catalog } = socket.data;
  if (role !== 'operator' || protocol < RUNS_FROM_PROTOCOL || !catalog) return false;
  return catalog.aliases.has(request.alias) && (request.vm === undefined || catalog.vms.has(request.vm));
}

// A window's answer, read like anything else a client sends. One that says it started the run
// without a valid job id is refused as the answer, and no other window is asked: the run may have
// started there, and it must not start twice.
async function ask(window: HubSocket, request: RunRequest): Promise<Ack<{ jobId: string }> & { started?: true }> {
  try {
    const answer: unknown = await window.timeout(RUN_TIMEOUT_MS).emitWithAck('run-job', request);
    if (typeof answer !== 'object' || answer === null) return { ok: false, error: 'A window gave no answer' };
    const { ok, jobId, error } = answer as { ok?: unknown; jobId?: unknown; error?: unknown };
    if (ok === true) return isUuid(jobId) ? { ok: true, jobId } : { ok: false, started: true, error: 'A window took the run but answered without a valid job id (jobId: expected a UUID)' };
    return { ok: false, error: typeof error === 'string' ? error.slice(0, 500) : 'A window refused the run' };
  } catch {
    return { ok: false, error: 'A window did not answer in time' };
  }
}
