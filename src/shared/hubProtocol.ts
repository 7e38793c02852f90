// The events of the hub's Socket.io namespace `/jobs`, and a type guard for every payload the hub
// receives. Compatible with the seed's events (`join-job`, `cancel-job`, `job:log`, `job:done`,
// `job:error`) with `seq` on every `job:log`, replay on join, acknowledged queries, and the
// `report:*` events by which an operator (a VS Code window) hands jobs and its catalog to the hub.
import type { CatalogProject, CatalogSnapshot, CatalogTarget, CatalogVm } from './catalog';
import type { Chunk, JobInfo, JobQuery, JobResult, JobStatus, StreamName } from './jobs';

/** The namespace every client connects to. */
export const HUB_NAMESPACE = '/jobs';

/** Largest Socket.io message the hub accepts; a larger one closes the connection. */
export const HUB_MAX_MESSAGE_BYTES = 2 * 1024 * 1024;

/** What a token allows: a viewer watches and queries; an operator also reports and cancels. */
export type HubRole = 'viewer' | 'operator';

/** Sent in the handshake: `io(url + '/jobs', { auth: { token, reporter } })`. */
export interface HubAuth {
  token: string;
  /** A stable id of the reporting window, so that a reconnect keeps its jobs; default: the socket id. */
  reporter?: string;
}

// ── server → client ───────────────────────────────────────────────────────────────────────

/** One chunk of output, in seq order without gaps or repeats on one socket. */
export interface JobLogEvent {
  jobId: string;
  seq: number;
  /** Epoch milliseconds. */
  ts: number;
  stream: StreamName;
  /** The text (the seed's name for it). */
  chunk: string;
}

export interface JobDoneEvent {
  jobId: string;
  status: Exclude<JobStatus, 'running'>;
  exitCode: number | null;
}

/** Something the client asked could not be done; `jobId` when it was about one job. */
export interface JobErrorEvent {
  jobId?: string;
  message: string;
}

/** Sent to an operator: the job it reported is to be canceled. Acknowledge with `{ ok }`. */
export interface CancelRequest {
  jobId: string;
}

/** Every acknowledged event answers one of these; errors are data, never a dropped connection. */
export type Ack<T = object> = ({ ok: true } & T) | { ok: false; error: string };

export interface ServerToClientEvents {
  'job:started': (job: JobInfo) => void;
  'job:log': (event: JobLogEvent) => void;
  'job:done': (event: JobDoneEvent) => void;
  'job:error': (event: JobErrorEvent) => void;
  /** Only to the operator socket that reported the job. */
  'cancel-job': (request: CancelRequest, ack: (answer: Ack) => void) => void;
}

// ── client → server ───────────────────────────────────────────────────────────────────────

/** Watch a job: stored output from `fromSeq` (default: only live output) is replayed first. */
export interface JoinJobRequest {
  jobId: string;
  fromSeq?: number;
}

/** History filters; the same as the HTTP API's query parameters. */
export type JobListRequest = JobQuery;

/** Most UTF-8 bytes of chunk text in one page of `jobs:events` (also its default). */
export const EVENTS_MAX_BYTES = 4 * 1024 * 1024;
/** Most chunks in one page of `jobs:events` (default 1000). */
export const EVENTS_MAX_CHUNKS = 10_000;
/** Output a client reads back from the end of a job it opens (`beforeSeq: 'end'`): a few screens; the rest is read on scroll. */
export const OPEN_TAIL_BYTES = 64 * 1024;

/**
 * A page of a job's stored output, in order of seq: from `fromSeq` on (default 0), or the chunks
 * just before `beforeSeq` — `'end'` for the job's last ones, which is how a finished job opens at
 * its end and scrolls up from there. Either way at most `limit` chunks (default 1000), and the
 * page ends with the chunk that brings its text to `maxBytes` or past it (the first chunk always
 * comes, however large).
 */
export interface JobEventsRequest {
  jobId: string;
  fromSeq?: number;
  beforeSeq?: number | 'end';
  limit?: number;
  maxBytes?: number;
}

export interface ReportChunks {
  jobId: string;
  chunks: Chunk[];
}

export interface ReportFinished {
  jobId: string;
  result: JobResult;
}

/** A job as the store knows it (StoredJob of the store, without importing it here). */
export type HubJob = JobInfo & { command: string; reporter?: string; lastSeq?: number };

export interface JoinAnswer {
  /** Highest seq sent during the replay, if any. */
  lastSeq?: number;
  status: JobStatus;
}

export interface ClientToServerEvents {
  /** The seed sends a bare job id; the ack is optional. */
  'join-job': (request: string | JoinJobRequest, ack?: (answer: Ack<JoinAnswer>) => void) => void;
  'leave-job': (jobId: string, ack?: (answer: Ack) => void) => void;
  /** Operator only; forwarded to the window that runs the job. */
  'cancel-job': (request: string | CancelRequest, ack?: (answer: Ack) => void) => void;
  'jobs:list': (query: JobListRequest, ack: (answer: Ack<{ jobs: HubJob[]; nextCursor?: string }>) => void) => void;
  'jobs:get': (jobId: string, ack: (answer: Ack<{ job: HubJob }>) => void) => void;
  'jobs:events': (request: JobEventsRequest, ack: (answer: Ack<{ chunks: Chunk[] }>) => void) => void;
  /** Operator only: deletes a finished job and its output. */
  'jobs:delete': (jobId: string, ack: (answer: Ack) => void) => void;
  /** Operator only. Every report is idempotent (by job id, and by (job id, seq) for chunks). */
  'report:started': (job: JobInfo, ack?: (answer: Ack) => void) => void;
  'report:chunks': (report: ReportChunks, ack?: (answer: Ack<{ accepted: number }>) => void) => void;
  'report:finished': (report: ReportFinished, ack?: (answer: Ack) => void) => void;
  /**
   * Operator only: the projects (with targets) and VMs discovery saw. It replaces the stored
   * catalog whole — what it does not name is deleted — rather than merging what several windows
   * report: every window of the user reads the same mkcli registry and vm-config tree, so the
   * latest report is the truth, and a merge could never forget a project removed from the registry.
   */
  'report:catalog': (snapshot: CatalogSnapshot, ack?: (answer: Ack) => void) => void;
}

// ── guards ────────────────────────────────────────────────────────────────────────────────
// Shape checks only; the store checks values (UUIDs, ranges) again before anything is queued.

const STATUSES: readonly string[] = ['running', 'success', 'failed', 'canceled', 'interrupted'];
const KINDS: readonly string[] = ['target', 'terminal', 'ssh-logs', 'remote-command'];
const STREAMS: readonly string[] = ['stdout', 'stderr', 'system'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isSeq = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
const optional = (v: unknown, check: (v: unknown) => boolean): boolean => v === undefined || check(v);
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);

/** A job id as a client may send it: a non-empty string of sane length. */
export function isJobId(v: unknown): v is string {
  return isString(v) && v.length > 0 && v.length <= 100;
}

export function isJoinJobRequest(v: unknown): v is string | JoinJobRequest {
  if (isJobId(v)) return true;
  return isObject(v) && isJobId(v.jobId) && optional(v.fromSeq, isSeq);
}

export function isCancelRequest(v: unknown): v is string | CancelRequest {
  return isJobId(v) || (isObject(v) && isJobId(v.jobId));
}

export function isJobListRequest(v: unknown): v is JobListRequest {
  if (!isObject(v)) return false;
  const status = v.status;
  const statusOk = status === undefined || (isString(status) && STATUSES.includes(status)) || (Array.isArray(status) && status.every((s) => isString(s) && STATUSES.includes(s)));
  return (
    statusOk &&
    optional(v.kind, (k) => isString(k) && KINDS.includes(k)) &&
    optional(v.alias, isString) &&
    optional(v.vm, isString) &&
    optional(v.text, isString) &&
    optional(v.from, isNumber) &&
    optional(v.to, isNumber) &&
    optional(v.cursor, isString) &&
    optional(v.limit, (l) => Number.isInteger(l) && (l as number) >= 1 && (l as number) <= 500)
  );
}

export function isJobEventsRequest(v: unknown): v is JobEventsRequest {
  return (
    isObject(v) &&
    isJobId(v.jobId) &&
    optional(v.fromSeq, isSeq) &&
    optional(v.beforeSeq, (b) => b === 'end' || isSeq(b)) &&
    (v.fromSeq === undefined || v.beforeSeq === undefined) &&
    optional(v.limit, (l) => Number.isInteger(l) && (l as number) >= 1 && (l as number) <= EVENTS_MAX_CHUNKS) &&
    optional(v.maxBytes, (b) => Number.isInteger(b) && (b as number) >= 1 && (b as number) <= EVENTS_MAX_BYTES)
  );
}

export function isJobInfo(v: unknown): v is JobInfo {
  return (
    isObject(v) &&
    isJobId(v.id) &&
    isString(v.kind) && KINDS.includes(v.kind) &&
    (v.mode === 'console' || v.mode === 'terminal') &&
    isString(v.title) &&
    isStringList(v.argv) &&
    optional(v.cwd, isString) &&
    optional(v.alias, isString) &&
    optional(v.target, isString) &&
    optional(v.args, isStringList) &&
    optional(v.vm, isString) &&
    isString(v.hostname) &&
    isNumber(v.startedAt) &&
    isString(v.status) && STATUSES.includes(v.status)
  );
}

export function isChunk(v: unknown): v is Chunk {
  return isObject(v) && isSeq(v.seq) && isNumber(v.ts) && isString(v.stream) && STREAMS.includes(v.stream) && isString(v.text);
}

export function isReportChunks(v: unknown): v is ReportChunks {
  return isObject(v) && isJobId(v.jobId) && Array.isArray(v.chunks) && v.chunks.every(isChunk);
}

export function isJobResult(v: unknown): v is JobResult {
  return (
    isObject(v) &&
    isString(v.status) && v.status !== 'running' && STATUSES.includes(v.status) &&
    (v.exitCode === null || Number.isSafeInteger(v.exitCode)) &&
    (v.signal === null || isString(v.signal)) &&
    isNumber(v.durationMs) &&
    isNumber(v.finishedAt)
  );
}

export function isReportFinished(v: unknown): v is ReportFinished {
  return isObject(v) && isJobId(v.jobId) && isJobResult(v.result);
}

/** Bounds of a `report:catalog`, far above a real registry or vm-config tree (the message size bounds it too). */
export const CATALOG_LIMITS = { projects: 5000, vms: 5000, targetsPerProject: 5000, textLength: 4096 } as const;

const isName = (v: unknown): v is string => isString(v) && v.length > 0 && v.length <= CATALOG_LIMITS.textLength;
const isText = (v: unknown): v is string => isString(v) && v.length <= CATALOG_LIMITS.textLength;
const isListOf = <T>(v: unknown, max: number, check: (item: unknown) => item is T): v is T[] => Array.isArray(v) && v.length <= max && v.every(check);

function isCatalogTarget(v: unknown): v is CatalogTarget {
  return isObject(v) && isName(v.name) && optional(v.description, isText);
}

function isCatalogProject(v: unknown): v is CatalogProject {
  return isObject(v) && isName(v.alias) && isName(v.dir) && optional(v.version, isText) && optional(v.targets, (t) => isListOf(t, CATALOG_LIMITS.targetsPerProject, isCatalogTarget));
}

function isCatalogVm(v: unknown): v is CatalogVm {
  return (
    isObject(v) &&
    isName(v.environment) &&
    isName(v.name) &&
    isName(v.host) &&
    isName(v.user) &&
    optional(v.sshDestination, isText) &&
    optional(v.sshConfigHost, isText)
  );
}

export function isCatalogSnapshot(v: unknown): v is CatalogSnapshot {
  return isObject(v) && isListOf(v.projects, CATALOG_LIMITS.projects, isCatalogProject) && isListOf(v.vms, CATALOG_LIMITS.vms, isCatalogVm);
}
