// Messages between the Job History panel and its webview. The webview asks for pages of the
// hub's history and acts on jobs; the host answers from the hub and passes live job changes on.
import type { HubJob } from './hubProtocol';
import type { JobQuery } from './jobs';
import { isJobId, isObject } from './schemaFields';
import { isJobQuery } from './webviewGuards';

// ── webview → host ─────────────────────────────────────────────────────────────────────────

export type HistoryToHostMessage =
  | { type: 'ready' }
  /** One page of history; answered by `history/page` or `history/error` with the same requestId. */
  | { type: 'history/list'; requestId: number; query: JobQuery }
  | { type: 'history/open'; jobId: string }
  | { type: 'history/rerun'; jobId: string }
  | { type: 'history/copy-command'; jobId: string }
  /** Answered by `history/deleted` (deleted, or kept because the user said no) or `history/error`, with the same requestId. */
  | { type: 'history/delete'; requestId: number; jobId: string };

// ── host → webview ─────────────────────────────────────────────────────────────────────────

export type HistoryToWebviewMessage =
  | { type: 'history/page'; requestId: number; jobs: HubJob[]; nextCursor?: string }
  | { type: 'history/error'; requestId: number; message: string }
  /** A job started, ended or changed (live). */
  | { type: 'history/job'; job: HubJob }
  | { type: 'history/deleted'; requestId: number; jobId: string; deleted: boolean }
  /** Whether a hub answers; without one the history cannot be shown, and `message` says why. */
  | { type: 'history/connection'; connected: boolean; message?: string };

/** The host's guard: accepts only well-formed webview messages. */
export function isHistoryToHostMessage(v: unknown): v is HistoryToHostMessage {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'ready':
      return true;
    case 'history/list':
      return Number.isSafeInteger(v.requestId) && isJobQuery(v.query);
    case 'history/open':
    case 'history/rerun':
    case 'history/copy-command':
      return isJobId(v.jobId);
    case 'history/delete':
      return Number.isSafeInteger(v.requestId) && isJobId(v.jobId);
    default:
      return false;
  }
}

/** The webview's guard: the shape of what the host sends (it is trusted, but a version skew is not). */
export function isHistoryToWebviewMessage(v: unknown): v is HistoryToWebviewMessage {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'history/page':
      return Number.isSafeInteger(v.requestId) && Array.isArray(v.jobs);
    case 'history/error':
      return Number.isSafeInteger(v.requestId) && typeof v.message === 'string';
    case 'history/job':
      return isObject(v.job) && isJobId(v.job.id);
    case 'history/deleted':
      return Number.isSafeInteger(v.requestId) && isJobId(v.jobId) && typeof v.deleted === 'boolean';
    case 'history/connection':
      return typeof v.connected === 'boolean';
    default:
      return false;
  }
}
