// The events of the hub's Socket.io namespace `/jobs`, and a type guard for every payload the hub
// receives. Compatible with the seed's events (`join-job`, `cancel-job`, `job:log`, `job:done`,
// `job:error`) with `seq` on every `job:log`, replay on join, acknowledged queries, and the
// `report:*` events by which an operator (a VS Code window) hands jobs and its catalog to the hub.
// Version 2 only adds: the reporter on `job:started`, the whole result on `job:done`, `storedSeq`
// on report answers and in `report:stored`, and the client's version in the handshake; a version
// 1 client works unchanged. A job that waits for its VM is reported (and announced) started twice:
// with status `queued`, then `running` with the time it began; a hub older than that refuses the
// first and stores the job from the second. Version 3 adds `jobs:run`: an operator asks the
// hub to run a target, and the hub asks a window of version 3 that has the project (`run-job`).
// Version 4 adds `hub:hello`, by which the hub says its version to every socket as it connects,
// and `report:chunks` with the chunks' text as UTF-8 bytes in one binary attachment, which a
// reporter sends only to a hub that said it speaks version 4: JSON escapes every line's end, and
// encoding and decoding that cost the reporter and the hub more than storing it.
// A client of any version may send a reporter key in its handshake (HubAuth.key): the jobs it starts
// are then reported by the holder of that key alone; a hub older than keys ignores it.
import type { CatalogSnapshot } from './catalog';
import type { Chunk, JobInfo, JobQuery, JobResult, JobStatus, StreamName } from './jobs';

/** The namespace every client connects to. */
export const HUB_NAMESPACE = '/jobs';

/** Largest Socket.io message the hub accepts; a larger one closes the connection. */
export const HUB_MAX_MESSAGE_BYTES = 2 * 1024 * 1024;

/** What a token allows: a viewer watches and queries; an operator also reports and cancels. */
export type HubRole = 'viewer' | 'operator';

/** The protocol this hub and its clients speak. */
export const HUB_PROTOCOL = 4;

/** The first version whose hub says hello and takes ReportChunkBytes. */
export const BYTES_PROTOCOL = 4;

/** Sent in the handshake: `io(url + '/jobs', { auth: { token, reporter, protocol, key } })`. */
export interface HubAuth {
  token: string;
  /** A stable id of the reporting window, so that a reconnect keeps its jobs; default: the socket id. */
  reporter?: string;
  /** The client's protocol version; absent: 1 (it is sent no `report:stored`). */
  protocol?: number;
  /**
   * The reporter's secret key (REPORTER_KEY_PATTERN: 256 bits in hex), never told to anyone: only
   * a client that holds the key a job was started with may report its output and its end. Absent:
   * a window older than keys, which reports its own jobs as before and none started with a key.
   */
  key?: string;
}

/** A reporter key as it is sent: 32 random bytes as 64 lowercase hex digits. */
export const REPORTER_KEY_PATTERN = /^[0-9a-f]{64}$/;

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

/** What a hub of version 4 says to each socket first. */
export interface HubHello {
  protocol: number;
}

/** A job started, and the window that reports it (version 1 did not say which). */
export type JobStartedEvent = JobInfo & { reporter?: string };

/** A job ended: how, as its window reported it (version 1 read only `status` and `exitCode`). */
export type JobDoneEvent = { jobId: string } & JobResult;

/** To the operator that reports a job: its output is stored up to `storedSeq` (-1: none yet). */
export interface JobStoredEvent {
  jobId: string;
  storedSeq: number;
}

/** Something the client asked could not be done; `jobId` when it was about one job. */
export interface JobErrorEvent {
  jobId?: string;
  message: string;
}

/** A target to run, as a user asks for it: the project's alias, the target, `VAR=value` arguments and, for a run on a VM, `<environment>/<vm>`. */
export interface RunRequest {
  alias: string;
  target: string;
  args?: string[];
  vm?: string;
}

/**
 * How long a window's user has to confirm a run asked for through the hub; the hub waits a little
 * longer for the window's answer, and a window does not start a run confirmed after it.
 */
export const RUN_CONSENT_MS = 45_000;

/** Sent to an operator: the job it reported is to be canceled. Acknowledge with `{ ok }`. */
export interface CancelRequest {
  jobId: string;
}

/**
 * Every acknowledged event answers one of these; errors are data, never a dropped connection.
 * `retryAfterMs` marks a refusal that is not about the payload (a rate limit, a full queue): the
 * same event may be sent again after that long.
 */
export type Ack<T = object> = ({ ok: true } & T) | { ok: false; error: string; retryAfterMs?: number };

export interface ServerToClientEvents {
  /** Version 4: to every socket as it connects. */
  'hub:hello': (hello: HubHello) => void;
  'job:started': (job: JobStartedEvent) => void;
  'job:log': (event: JobLogEvent) => void;
  'job:done': (event: JobDoneEvent) => void;
  'job:error': (event: JobErrorEvent) => void;
  /** Only to the version 2 operator socket that reports the job, after its output was stored. */
  'report:stored': (event: JobStoredEvent) => void;
  /** Only to the operator socket that reported the job. */
  'cancel-job': (request: CancelRequest, ack: (answer: Ack) => void) => void;
  /** To an operator of version 3 whose catalog has the project: run it, or say why not. */
  'run-job': (request: RunRequest, ack: (answer: Ack<{ jobId: string }>) => void) => void;
}

// ── client → server ───────────────────────────────────────────────────────────────────────

/** Watch a job: stored output from `fromSeq` (default: only live output) is replayed first. */
export interface JoinJobRequest {
  jobId: string;
  fromSeq?: number;
}

/** History filters; the same as the HTTP API's query parameters. */
export type JobListRequest = JobQuery;

/**
 * Most characters of chunk text in one `report:chunks` (and of one chunk as the runner cuts
 * output). A report is one WebSocket message, made into one string when it is encoded and again
 * when it is decoded; a string of 128 KiB or more is one of V8's large objects, each a fresh
 * mapping of memory, and 100 MB of output sent in messages of that size took 1–1.5 s more CPU to
 * decode at the hub than in messages of 32K characters. 32K characters stay under that size even
 * when the text needs two bytes a character (a single `✓` is enough) and JSON escapes some of it.
 */
export const REPORT_MAX_CHARS = 32 * 1024;

/**
 * Most characters of chunk text in one `report:chunks` whose text goes as bytes (version 4). Each
 * chunk stays a string of its own on both sides (the runner cuts at REPORT_MAX_CHARS), and their
 * bytes are not a string at all, so a larger report makes no large string; what it saves is the
 * work of a report and its answer, at both ends.
 */
export const BYTES_REPORT_MAX_CHARS = 256 * 1024;

/** Most UTF-8 bytes of chunk text in one page of `jobs:events` (also its default). */
export const EVENTS_MAX_BYTES = 4 * 1024 * 1024;
/** Most chunks in one page of `jobs:events` (default 1000). */
export const EVENTS_MAX_CHUNKS = 10_000;
/**
 * Output a client reads back from the end of a job it opens (`beforeSeq: 'end'`): a screen or two
 * of lines (the last chunk at least, however large); the rest is read on scroll. Everything read
 * is parsed before the last line can be drawn, so more only delays the first screen.
 */
export const OPEN_TAIL_BYTES = 16 * 1024;

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

/**
 * `report:chunks` as a reporter of version 4 sends it to a hub of version 4: the chunks' text as
 * UTF-8 in one attachment (socket.io sends a byte array as one), each chunk saying how many of
 * its bytes are its own, in order.
 */
export interface ReportChunkBytes {
  jobId: string;
  chunks: (Omit<Chunk, 'text'> & { bytes: number })[];
  bytes: Uint8Array;
}

export interface ReportFinished {
  jobId: string;
  result: JobResult;
}

/** The job's output is stored up to `storedSeq` (-1: none yet); added in version 2. */
export interface StoredAnswer {
  storedSeq: number;
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
  /**
   * Operator only. Every report is idempotent (by job id, and by (job id, seq) for chunks). Its
   * answer says how far the job's output is stored; `report:finished` is answered once the job is
   * stored to its end.
   */
  'report:started': (job: JobInfo, ack?: (answer: Ack<StoredAnswer>) => void) => void;
  'report:chunks': (report: ReportChunks | ReportChunkBytes, ack?: (answer: Ack<{ accepted: number } & StoredAnswer>) => void) => void;
  'report:finished': (report: ReportFinished, ack?: (answer: Ack<StoredAnswer>) => void) => void;
  /**
   * Operator only: the projects (with targets) and VMs discovery saw. It replaces the stored
   * catalog whole — what it does not name is deleted — rather than merging what several windows
   * report: every window of the user reads the same mkcli registry and vm-config tree, so the
   * latest report is the truth, and a merge could never forget a project removed from the registry.
   */
  'report:catalog': (snapshot: CatalogSnapshot, ack?: (answer: Ack) => void) => void;
  /**
   * Operator only: run a target in a connected window that has the project (and the VM). The
   * window runs it only when its user allowed runs from the hub (`vmOrchestrator.hub.acceptRuns`);
   * the answer is the job's id, or every window's reason not to.
   */
  'jobs:run': (request: RunRequest, ack: (answer: Ack<{ jobId: string }>) => void) => void;
}
