// The messages between the extension host and the console webview, and a type guard for each
// direction: neither side trusts what the other posts until the guard has accepted it.
import type { Chunk, JobInfo, JobStatus, StreamName } from './jobs';
import { STREAM_NAMES } from './schema';
import { isObject } from './schemaFields';
import { isChunk, isJobInfo, isJobStatus, isStreamName } from './webviewGuards';

/** How many characters of `console/append` text may be unacknowledged at once, unless `ready` says otherwise. */
export const DEFAULT_CREDIT_WINDOW = 1024 * 1024;

/** The host cuts `console/append` batches at about this many characters (and at least once per frame). */
export const APPEND_BATCH_CHARS = 64 * 1024;

/** Lines the console keeps in memory unless `console/init` says otherwise. */
export const DEFAULT_MAX_LINES = 100_000;


/** Display options the host chooses for a new console (the user can change them in the tab). */
export interface ConsoleOptions {
  /** Lines kept in the webview; older lines are dropped and, if the host can, fetched back. */
  maxLines: number;
  wrap: boolean;
  timestamps: boolean;
  follow: boolean;
}

/** Where a clicked link points: a URL, or a file position (relative paths are relative to the job's cwd). */
export type LinkTarget = { url: string } | { path: string; line: number; column?: number };

// ── host → webview ─────────────────────────────────────────────────────────────────────────

/**
 * Starts (or restarts) the console for a job. Sent in answer to `ready` and whenever the panel
 * shows another job (a rerun in the same tab). The webview drops what it had; credit counting
 * starts again at 0.
 */
export interface ConsoleInitMessage {
  type: 'console/init';
  job: JobInfo;
  options: ConsoleOptions;
  /** True when the host can give output older than the chunks it is about to send (held, or from the store), for `console/fetch-older`. */
  canFetchOlder: boolean;
}

/** New output, in seq order, without gaps after the last chunk sent. Counts against the credit window. */
export interface ConsoleAppendMessage {
  type: 'console/append';
  jobId: string;
  chunks: Chunk[];
}

/**
 * The newest output, sent besides `console/append` while more than a few MB wait to be sent: a
 * following console shows it until the output in order reaches its last chunk. Not counted as
 * credit; the chunks come again, in order, in `console/append`.
 */
export interface ConsoleTailMessage {
  type: 'console/tail';
  jobId: string;
  chunks: Chunk[];
  /** UTF-8 bytes a second the job's output came at since the previous newest output, when that was recent. */
  bytesPerSecond?: number;
}

/**
 * Output is left out, and goes on with `chunks`: what waited to be sent from their first seq on
 * holds more lines than the console keeps, so it would have read all before them only to drop
 * it. Not sent while the view is paused (`console/paused`). The console drops the lines it shows
 * and the output it has not read yet, which counts as consumed, keeps its view options and find,
 * and reads on with `chunks`, which count against the credit window as an append's do. What was
 * left out is fetched back on scroll (`console/fetch-older`).
 */
export interface ConsoleSkipMessage {
  type: 'console/skip';
  jobId: string;
  chunks: Chunk[];
}

/** The job's state changed (it finished, was canceled, …). */
export interface ConsoleStatusMessage {
  type: 'console/status';
  jobId: string;
  status: JobStatus;
  exitCode?: number | null;
  signal?: string | null;
  durationMs?: number;
  finishedAt?: number;
  /** Errors and warnings found in its output, once it ended. */
  errors?: number;
  warnings?: number;
}

/** Errors and warnings found so far in the output of a job of this window; `canOpen`: they are in the Problems panel. */
export interface ConsoleProblemsMessage {
  type: 'console/problems';
  jobId: string;
  errors: number;
  warnings: number;
  canOpen: boolean;
}

/** The answer to `console/fetch-older`: the chunks just before `beforeSeq`, in seq order. Not counted as credit. */
export interface ConsoleOlderMessage {
  type: 'console/older';
  jobId: string;
  /** Ends with the chunk `beforeSeq - 1`; empty when there is nothing older. */
  chunks: Chunk[];
  /** True when chunks older than the first one here exist too. */
  hasMore: boolean;
}

export type HostToConsoleMessage =
  | ConsoleInitMessage
  | ConsoleAppendMessage
  | ConsoleTailMessage
  | ConsoleSkipMessage
  | ConsoleStatusMessage
  | ConsoleProblemsMessage
  | ConsoleOlderMessage;

// ── webview → host ─────────────────────────────────────────────────────────────────────────

/**
 * The webview is listening. The host queues everything until it gets this, then sends
 * `console/init`, the status, and the job's output from its tail: a webview says `ready` when it
 * is created, and a hidden tab's is created anew, holding nothing.
 */
export interface ReadyMessage {
  type: 'ready';
  /** At most this many characters of `console/append` text may be unacknowledged. */
  creditWindow: number;
}

/**
 * Flow control: the total characters (`chunk.text.length`, UTF-16 units) of `console/append`
 * chunks the webview has consumed since the last `console/init`. The host keeps
 * `sent - consumed <= creditWindow` and holds back the rest; it never slows the job.
 */
export interface ConsoleCreditMessage {
  type: 'console/credit';
  jobId: string;
  consumed: number;
}

/**
 * The user paused the view (it holds new output back, as shown) or resumed it. A console is not
 * paused after `console/init`.
 */
export interface ConsolePausedMessage {
  type: 'console/paused';
  jobId: string;
  paused: boolean;
}

export interface JobCancelMessage {
  type: 'job/cancel';
  jobId: string;
}

export interface JobRerunMessage {
  type: 'job/rerun';
  jobId: string;
}

/** What the user sees: which streams, and whether lines start with their time. */
export interface TextExportOptions {
  streams: StreamName[];
  timestamps: boolean;
}

/** Save the whole output (the host's copy, not only the lines in the webview) to a file, without ANSI codes. */
export interface ConsoleSaveMessage extends TextExportOptions {
  type: 'console/save';
  jobId: string;
}

/** Open the whole output as a plain-text editor. */
export interface ConsoleOpenAsTextMessage extends TextExportOptions {
  type: 'console/open-as-text';
  jobId: string;
}

/** A link in the output was clicked. The host decides whether and how to open it. */
export interface ConsoleOpenLinkMessage {
  type: 'console/open-link';
  jobId: string;
  target: LinkTarget;
}

/** Asks for the chunks before `beforeSeq` (the oldest chunk the webview holds); answered by `console/older`. */
export interface ConsoleFetchOlderMessage {
  type: 'console/fetch-older';
  jobId: string;
  beforeSeq: number;
  /** About how many characters to send back. */
  maxChars: number;
}

/** Go to First Error: open the first problem found in the job's output (an error, else a warning). */
export interface ConsoleOpenFirstProblemMessage {
  type: 'console/open-first-problem';
  jobId: string;
}

/** How many characters and lines the log shows: the job's terminal is given that size. */
export interface ConsoleResizeMessage {
  type: 'console/resize';
  cols: number;
  rows: number;
}

export type ConsoleToHostMessage =
  | ReadyMessage
  | ConsoleResizeMessage
  | ConsoleCreditMessage
  | ConsolePausedMessage
  | JobCancelMessage
  | JobRerunMessage
  | ConsoleSaveMessage
  | ConsoleOpenAsTextMessage
  | ConsoleOpenLinkMessage
  | ConsoleFetchOlderMessage
  | ConsoleOpenFirstProblemMessage;

// ── guards ─────────────────────────────────────────────────────────────────────────────────

/** Strings a message may carry: ids, paths, URLs. Longer ones are rejected, not cut. */
const MAX_STRING = 16 * 1024;
/** Upper bound for `maxLines` and the credit window, so a bad value cannot exhaust memory. */
const MAX_LINES_LIMIT = 10_000_000;
const MAX_WINDOW = 64 * 1024 * 1024;

type Fields = Record<string, unknown>;

function isShortString(v: unknown): v is string {
  return typeof v === 'string' && v.length <= MAX_STRING;
}

function isId(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= 200;
}

function isCount(v: unknown, max = Number.MAX_SAFE_INTEGER): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function optional(v: unknown, check: (v: unknown) => boolean): boolean {
  return v === undefined || check(v);
}

function isNullableInt(v: unknown): boolean {
  return v === null || (typeof v === 'number' && Number.isInteger(v));
}

function isNullableString(v: unknown): boolean {
  return v === null || isShortString(v);
}

function isChunkArray(v: unknown): v is Chunk[] {
  return Array.isArray(v) && v.every(isChunk);
}

function isConsoleOptions(v: unknown): v is ConsoleOptions {
  return (
    isObject(v) &&
    isCount(v.maxLines, MAX_LINES_LIMIT) &&
    v.maxLines >= 1 &&
    typeof v.wrap === 'boolean' &&
    typeof v.timestamps === 'boolean' &&
    typeof v.follow === 'boolean'
  );
}

export function isLinkTarget(v: unknown): v is LinkTarget {
  if (!isObject(v)) return false;
  if ('url' in v) return isShortString(v.url) && v.url.length > 0 && !('path' in v);
  return (
    isShortString(v.path) &&
    v.path.length > 0 &&
    isCount(v.line) &&
    v.line >= 1 &&
    optional(v.column, (c) => isCount(c) && c >= 1)
  );
}

function isExportOptions(v: Fields): boolean {
  return (
    Array.isArray(v.streams) &&
    v.streams.length <= STREAM_NAMES.length &&
    v.streams.every(isStreamName) &&
    typeof v.timestamps === 'boolean'
  );
}

/** The webview's guard: accepts only well-formed host messages. */
export function isHostToConsoleMessage(v: unknown): v is HostToConsoleMessage {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'console/init':
      return isJobInfo(v.job) && isConsoleOptions(v.options) && typeof v.canFetchOlder === 'boolean';
    case 'console/append':
      return isId(v.jobId) && isChunkArray(v.chunks);
    case 'console/tail':
      return isId(v.jobId) && isChunkArray(v.chunks) && v.chunks.length > 0 && optional(v.bytesPerSecond, isCount);
    case 'console/skip':
      return isId(v.jobId) && isChunkArray(v.chunks) && v.chunks.length > 0;
    case 'console/status':
      return (
        isId(v.jobId) &&
        isJobStatus(v.status) &&
        optional(v.exitCode, isNullableInt) &&
        optional(v.signal, isNullableString) &&
        optional(v.durationMs, isFiniteNumber) &&
        optional(v.finishedAt, isFiniteNumber) &&
        optional(v.errors, isCount) &&
        optional(v.warnings, isCount)
      );
    case 'console/problems':
      return isId(v.jobId) && isCount(v.errors) && isCount(v.warnings) && typeof v.canOpen === 'boolean';
    case 'console/older':
      return isId(v.jobId) && isChunkArray(v.chunks) && typeof v.hasMore === 'boolean';
    default:
      return false;
  }
}

/** The host's guard: accepts only well-formed webview messages. */
export function isConsoleToHostMessage(v: unknown): v is ConsoleToHostMessage {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'ready':
      return isCount(v.creditWindow, MAX_WINDOW) && v.creditWindow > 0;
    case 'console/credit':
      return isId(v.jobId) && isCount(v.consumed);
    case 'console/paused':
      return isId(v.jobId) && typeof v.paused === 'boolean';
    case 'console/resize':
      return isCount(v.cols, 10_000) && v.cols > 0 && isCount(v.rows, 10_000) && v.rows > 0;
    case 'job/cancel':
    case 'job/rerun':
    case 'console/open-first-problem':
      return isId(v.jobId);
    case 'console/save':
    case 'console/open-as-text':
      return isId(v.jobId) && isExportOptions(v);
    case 'console/open-link':
      return isId(v.jobId) && isLinkTarget(v.target);
    case 'console/fetch-older':
      return isId(v.jobId) && isCount(v.beforeSeq) && v.beforeSeq >= 1 && isCount(v.maxChars, MAX_WINDOW) && v.maxChars > 0;
    default:
      return false;
  }
}
