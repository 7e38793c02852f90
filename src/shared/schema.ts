// One definition of a valid value, taken from what the store holds (sql/*.sql): every job, chunk,
// result, query and catalog the hub is sent is read here, once, at its edge. A value is either
// refused with an error that names the field, or comes back normalized — text PostgreSQL can hold,
// whole milliseconds, -0 as 0 — so that what is accepted is stored and read back as it is. The
// webview and history guards use the same checks, so no two parts of the product disagree on what
// a job is.
import type { CatalogProject, CatalogReachability, CatalogSnapshot, CatalogTarget, CatalogVm } from './catalog';
import { EVENTS_MAX_BYTES, EVENTS_MAX_CHUNKS, type RunRequest } from './hubProtocol';
import type { Chunk, FinalStatus, JobInfo, JobKind, JobMode, JobQuery, JobResult, JobStatus, StreamName } from './jobs';
import { duration, INT4_MAX, INT4_MIN, integer, isJobId, isObject, isUuid, list, object, oneOf, optionalText, parse, refuse, text, time, TIME_MAX_MS, TIME_MIN_MS, uuid, type Fields, type Parsed } from './schemaFields';

export const JOB_STATUSES: readonly JobStatus[] = ['queued', 'running', 'success', 'failed', 'canceled', 'interrupted', 'skipped'];
export const FINAL_STATUSES: readonly FinalStatus[] = ['success', 'failed', 'canceled', 'interrupted', 'skipped'];
export const JOB_KINDS: readonly JobKind[] = ['target', 'terminal', 'ssh-logs', 'remote-command', 'environment', 'sequence'];
export const JOB_MODES: readonly JobMode[] = ['console', 'terminal'];
export const STREAM_NAMES: readonly StreamName[] = ['stdout', 'stderr', 'system'];


/** Lengths in UTF-16 units. Names are in btree indexes, whose entries PostgreSQL caps at about 2.7 kB. */
export const LIMITS = {
  /** alias, environment, VM name, host, user, hostname: at most 1 kB of UTF-8 each. */
  name: 256,
  /** A job's `vm`, `<environment>/<name>`. */
  vm: 513,
  /** A make target as the catalog lists it (next to a 16-byte project id in its key). */
  targetName: 512,
  title: 1024,
  /** cwd, a project folder, a description, an ssh destination. */
  text: 4096,
  signal: 64,
  /** One argument: Linux's own limit of one argv string (MAX_ARG_STRLEN). */
  arg: 128 * 1024,
  args: 10_000,
  /** Characters of one chunk's text (the runner cuts at 64 Ki); the message size bounds a report further. */
  chunkText: 8 * 1024 * 1024,
  chunksPerReport: 10_000,
  /** The text a history query searches for. */
  search: 1000,
  cursor: 200,
  /** Jobs per history page. */
  page: 500,
} as const;

/** Bounds of a `report:catalog`, far above a real registry or vm-config tree (the message size bounds it too). */
export const CATALOG_LIMITS = { projects: 5000, vms: 5000, targetsPerProject: 5000 } as const;

const seq = (field: string, v: unknown): number => integer(field, v, 0, INT4_MAX);
const exitCode = (field: string, v: unknown): number | null => (v === null ? null : integer(field, v, INT4_MIN, INT4_MAX));
const signal = (field: string, v: unknown): string | null => (v === null ? null : text(field, v, LIMITS.signal));
const arg = (field: string, v: unknown): string => text(field, v, LIMITS.arg);

// ── jobs ───────────────────────────────────────────────────────────────────────────────────

function readJobInfo(v: unknown): JobInfo {
  const o = object('job', v);
  const job: JobInfo = {
    id: uuid('id', o.id),
    kind: oneOf('kind', o.kind, JOB_KINDS),
    mode: oneOf('mode', o.mode, JOB_MODES),
    title: text('title', o.title, LIMITS.title),
    argv: list('argv', o.argv, LIMITS.args, arg),
    hostname: text('hostname', o.hostname, LIMITS.name),
    startedAt: time('startedAt', o.startedAt),
    status: oneOf('status', o.status, JOB_STATUSES),
  };
  const cwd = optionalText('cwd', o.cwd, LIMITS.text);
  const alias = optionalText('alias', o.alias, LIMITS.name);
  const target = optionalText('target', o.target, LIMITS.text);
  const vm = optionalText('vm', o.vm, LIMITS.vm);
  if (cwd !== undefined) job.cwd = cwd;
  if (alias !== undefined) job.alias = alias;
  if (target !== undefined) job.target = target;
  if (o.args !== undefined) job.args = list('args', o.args, LIMITS.args, arg);
  if (vm !== undefined) job.vm = vm;
  if (o.parentId !== undefined) job.parentId = uuid('parentId', o.parentId);
  if (o.finishedAt !== undefined) job.finishedAt = time('finishedAt', o.finishedAt);
  if (o.exitCode !== undefined) job.exitCode = exitCode('exitCode', o.exitCode);
  if (o.signal !== undefined) job.signal = signal('signal', o.signal);
  if (o.durationMs !== undefined) job.durationMs = duration('durationMs', o.durationMs);
  return { ...job, ...problemCounts('job', o) };
}

// Errors and warnings found in a job's output: both or neither.
function problemCounts(field: string, o: Record<string, unknown>): { errors?: number; warnings?: number } {
  if (o.errors === undefined && o.warnings === undefined) return {};
  return { errors: integer(`${field}.errors`, o.errors, 0, INT4_MAX), warnings: integer(`${field}.warnings`, o.warnings, 0, INT4_MAX) };
}

// The chunks readChunk made: checked and cleaned, so the store need not check them again. The hub
// checks every chunk where it arrives, and the BatchWriter, the store and the statement each
// checked it once more, at about 70 ms of the hub's thread per pass over 100 MB of output. They
// are frozen, so what was checked is what is stored.
const checkedChunks = new WeakSet<Chunk>();

/** True for a chunk that parseChunk or parseReportChunks made (already as the store needs it). */
export const isCheckedChunk = (chunk: Chunk): boolean => checkedChunks.has(chunk);

// The bytes a chunk's text arrived as in a report of version 4, where they are its text exactly
// (UTF-8 without a NUL, so that nothing was replaced or removed): the store deflates them rather
// than encoding the text again, 100 MB of it in a flood.
const arrivedAs = new WeakMap<Chunk, Uint8Array>();

/** The UTF-8 of a chunk's text, when it arrived as exactly that. */
export const utf8Of = (chunk: Chunk): Uint8Array | undefined => arrivedAs.get(chunk);

function readChunk(field: string, v: unknown, textOf = (o: Fields): string => text(`${field}.text`, o.text, LIMITS.chunkText)): Chunk {
  const o = object(field, v);
  const chunk: Chunk = {
    seq: seq(`${field}.seq`, o.seq),
    ts: time(`${field}.ts`, o.ts),
    stream: oneOf(`${field}.stream`, o.stream, STREAM_NAMES),
    text: textOf(o),
  };
  checkedChunks.add(Object.freeze(chunk));
  return chunk;
}

/** A list of chunks, each with its text. */
const readChunks = (v: unknown): Chunk[] => list('chunks', v, LIMITS.chunksPerReport, (field, c) => readChunk(field, c));

const utf8 = new TextDecoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes as text (bytes that are not UTF-8 as U+FFFD), and whether the text's UTF-8 is exactly those bytes (no NUL, no BOM that the decoder drops, nothing replaced). */
function decodeReported(bytes: Uint8Array): { text: string; exact: boolean } {
  if (bytes.includes(0) || (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)) return { text: utf8.decode(bytes), exact: false };
  try {
    return { text: strictUtf8.decode(bytes), exact: true };
  } catch {
    return { text: utf8.decode(bytes), exact: false };
  }
}

// A reporter of version 4 sends the text of a report's chunks as one binary attachment, `bytes`,
// each chunk saying how many of them are its own (`bytes`, in order). Each chunk's bytes are read
// as a string on their own, bytes that are not UTF-8 as U+FFFD (as the runner reads a program's
// output), and must account for the attachment exactly.
function chunksOfBytes(o: Fields): Chunk[] {
  if (!(o.bytes instanceof Uint8Array)) return refuse('bytes', 'bytes', o.bytes);
  const all = o.bytes;
  let at = 0;
  const chunks = list('chunks', o.chunks, LIMITS.chunksPerReport, (field, v) => {
    let own: Uint8Array | undefined;
    const chunk = readChunk(field, v, (c) => {
      const size = integer(`${field}.bytes`, c.bytes, 0, all.byteLength - at);
      if (c.text !== undefined) return refuse(field, 'its text in bytes only', 'text');
      at += size;
      const bytes = all.subarray(at - size, at);
      const decoded = decodeReported(bytes);
      if (decoded.exact) own = bytes;
      return text(`${field}.bytes`, decoded.text, LIMITS.chunkText);
    });
    if (own) arrivedAs.set(chunk, own);
    return chunk;
  });
  if (at !== all.byteLength) return refuse('bytes', `${at} bytes, as its chunks say`, all.byteLength);
  return chunks;
}

function readJobResult(field: string, v: unknown): JobResult {
  const o = object(field, v);
  return {
    status: oneOf(`${field}.status`, o.status, FINAL_STATUSES),
    exitCode: exitCode(`${field}.exitCode`, o.exitCode),
    signal: signal(`${field}.signal`, o.signal),
    durationMs: duration(`${field}.durationMs`, o.durationMs),
    finishedAt: time(`${field}.finishedAt`, o.finishedAt),
    ...problemCounts(field, o),
  };
}

/** A job as a reporter describes it (`report:started`). */
export const parseJobInfo = (v: unknown): Parsed<JobInfo> => parse(() => readJobInfo(v));

/** One chunk of output. */
export const parseChunk = (v: unknown): Parsed<Chunk> => parse(() => readChunk('chunk', v));

/** Chunks of one job (`report:chunks`). */
export const parseChunks = (v: unknown): Parsed<Chunk[]> => parse(() => readChunks(v));

/** How a job ended (`report:finished`). */
export const parseJobResult = (v: unknown): Parsed<JobResult> => parse(() => readJobResult('result', v));

/** `report:chunks`. */
export function parseReportChunks(v: unknown): Parsed<{ jobId: string; chunks: Chunk[] }> {
  return parse(() => {
    const o = object('report', v);
    const jobId = uuid('jobId', o.jobId);
    return { jobId, chunks: o.bytes === undefined ? readChunks(o.chunks) : chunksOfBytes(o) };
  });
}

/** `report:finished`. */
export function parseReportFinished(v: unknown): Parsed<{ jobId: string; result: JobResult }> {
  return parse(() => {
    const o = object('report', v);
    return { jobId: uuid('jobId', o.jobId), result: readJobResult('result', o.result) };
  });
}

/** `jobs:run` and `run-job`: names as the catalog stores them; the window checks them as a click would. */
export function parseRunRequest(v: unknown): Parsed<RunRequest> {
  return parse(() => {
    const o = object('request', v);
    const request: RunRequest = { alias: text('alias', o.alias, LIMITS.name), target: text('target', o.target, LIMITS.targetName) };
    if (o.args !== undefined) request.args = list('args', o.args, LIMITS.args, arg);
    const vm = optionalText('vm', o.vm, LIMITS.vm);
    if (vm !== undefined) request.vm = vm;
    return request;
  });
}

// ── queries ────────────────────────────────────────────────────────────────────────────────

/** A history cursor, `<epoch ms>.<uuid>` as listJobs returns it. */
function readCursor(field: string, v: unknown): { startedAt: number; id: string } {
  const raw = text(field, v, LIMITS.cursor);
  const dot = raw.indexOf('.');
  const ms = dot > 0 && /^-?\d+$/.test(raw.slice(0, dot)) ? Number(raw.slice(0, dot)) : NaN;
  if (!Number.isSafeInteger(ms) || ms < TIME_MIN_MS || ms > TIME_MAX_MS || !isUuid(raw.slice(dot + 1))) return refuse(field, 'a cursor returned by the previous page', v);
  return { startedAt: ms, id: raw.slice(dot + 1).toLowerCase() };
}

function readJobQuery(v: unknown): JobQuery {
  const o = object('query', v);
  const query: JobQuery = {};
  if (o.status !== undefined) {
    query.status = Array.isArray(o.status) ? list('status', o.status, JOB_STATUSES.length, (f, s) => oneOf(f, s, JOB_STATUSES)) : oneOf('status', o.status, JOB_STATUSES);
  }
  if (o.kind !== undefined) query.kind = oneOf('kind', o.kind, JOB_KINDS);
  const alias = optionalText('alias', o.alias, LIMITS.name);
  const vm = optionalText('vm', o.vm, LIMITS.vm);
  const search = optionalText('text', o.text, LIMITS.search);
  if (alias !== undefined) query.alias = alias;
  if (vm !== undefined) query.vm = vm;
  if (search !== undefined) query.text = search;
  if (o.from !== undefined) query.from = time('from', o.from);
  if (o.to !== undefined) query.to = time('to', o.to);
  if (o.cursor !== undefined) {
    readCursor('cursor', o.cursor);
    query.cursor = o.cursor as string;
  }
  if (o.limit !== undefined) query.limit = integer('limit', o.limit, 1, LIMITS.page);
  return query;
}

/** A history query (`jobs:list`, `/api/jobs`). */
export const parseJobQuery = (v: unknown): Parsed<JobQuery> => parse(() => readJobQuery(v));

/** A page of a job's stored output; see JobEventsRequest in hubProtocol.ts. */
export interface EventsQuery {
  jobId: string;
  fromSeq?: number;
  beforeSeq?: number | 'end';
  limit?: number;
  maxBytes?: number;
}

function readEventsQuery(v: unknown): EventsQuery {
  const o = object('request', v);
  if (!isJobId(o.jobId)) return refuse('jobId', 'a job id', o.jobId);
  const query: EventsQuery = { jobId: o.jobId };
  if (o.fromSeq !== undefined && o.beforeSeq !== undefined) return refuse('beforeSeq', 'fromSeq or beforeSeq, not both', o.beforeSeq);
  if (o.fromSeq !== undefined) query.fromSeq = seq('fromSeq', o.fromSeq);
  if (o.beforeSeq !== undefined) query.beforeSeq = o.beforeSeq === 'end' ? 'end' : seq('beforeSeq', o.beforeSeq);
  if (o.limit !== undefined) query.limit = integer('limit', o.limit, 1, EVENTS_MAX_CHUNKS);
  if (o.maxBytes !== undefined) query.maxBytes = integer('maxBytes', o.maxBytes, 1, EVENTS_MAX_BYTES);
  return query;
}

/** `jobs:events`, `/api/jobs/:id/events`. */
export const parseEventsQuery = (v: unknown): Parsed<EventsQuery> => parse(() => readEventsQuery(v));

/** `join-job`: a bare job id (the seed's form) or `{ jobId, fromSeq? }`. */
export function parseJoinRequest(v: unknown): Parsed<{ jobId: string; fromSeq?: number }> {
  return parse(() => {
    if (isJobId(v)) return { jobId: v };
    const o = object('request', v);
    if (!isJobId(o.jobId)) return refuse('jobId', 'a job id', o.jobId);
    return o.fromSeq === undefined ? { jobId: o.jobId } : { jobId: o.jobId, fromSeq: seq('fromSeq', o.fromSeq) };
  });
}

/** `cancel-job`, `leave-job`, `jobs:get`, `jobs:delete`: a bare job id, or `{ jobId }`. */
export function parseJobRef(v: unknown): Parsed<string> {
  return parse(() => {
    const id = isObject(v) ? v.jobId : v;
    return isJobId(id) ? id : refuse('jobId', 'a job id', id);
  });
}

// ── catalog ────────────────────────────────────────────────────────────────────────────────

const name = (field: string, v: unknown): string => text(field, v, LIMITS.name, 1);

function readTarget(field: string, v: unknown): CatalogTarget {
  const o = object(field, v);
  const target: CatalogTarget = { name: text(`${field}.name`, o.name, LIMITS.targetName, 1) };
  const description = optionalText(`${field}.description`, o.description, LIMITS.text);
  if (description !== undefined) target.description = description;
  return target;
}

function readProject(field: string, v: unknown): CatalogProject {
  const o = object(field, v);
  const project: CatalogProject = { alias: name(`${field}.alias`, o.alias), dir: text(`${field}.dir`, o.dir, LIMITS.text, 1) };
  const version = optionalText(`${field}.version`, o.version, LIMITS.name);
  if (version !== undefined) project.version = version;
  if (o.targets !== undefined) project.targets = list(`${field}.targets`, o.targets, CATALOG_LIMITS.targetsPerProject, readTarget);
  return project;
}

function readVm(field: string, v: unknown): CatalogVm {
  const o = object(field, v);
  const vm: CatalogVm = {
    environment: name(`${field}.environment`, o.environment),
    name: name(`${field}.name`, o.name),
    host: name(`${field}.host`, o.host),
    user: name(`${field}.user`, o.user),
  };
  const destination = optionalText(`${field}.sshDestination`, o.sshDestination, LIMITS.text);
  const configHost = optionalText(`${field}.sshConfigHost`, o.sshConfigHost, LIMITS.text);
  if (destination !== undefined) vm.sshDestination = destination;
  if (configHost !== undefined) vm.sshConfigHost = configHost;
  if (o.reachability !== undefined) vm.reachability = readReachability(`${field}.reachability`, o.reachability);
  return vm;
}

function readReachability(field: string, v: unknown): CatalogReachability {
  const o = object(field, v);
  if (typeof o.reachable !== 'boolean') return refuse(`${field}.reachable`, 'true or false', o.reachable);
  const reachability: CatalogReachability = { reachable: o.reachable, label: name(`${field}.label`, o.label), checkedAt: time(`${field}.checkedAt`, o.checkedAt) };
  const message = optionalText(`${field}.message`, o.message, LIMITS.text);
  if (message !== undefined) reachability.message = message;
  return reachability;
}

/** `report:catalog`. */
export function parseCatalog(v: unknown): Parsed<CatalogSnapshot> {
  return parse(() => {
    const o = object('catalog', v);
    return { projects: list('projects', o.projects, CATALOG_LIMITS.projects, readProject), vms: list('vms', o.vms, CATALOG_LIMITS.vms, readVm) };
  });
}
