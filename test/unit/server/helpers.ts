// A hub for tests: in-process on PGlite in a temp folder, or the real process; and clients.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { after, before } from 'node:test';
import os from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { PgliteJobStore } from '../../../src/core/store/pgliteJobStore';
import type { JobStore } from '../../../src/core/store/jobStore';
import { LoginThrottle } from '../../../src/server/auth';
import { startHub, type Hub } from '../../../src/server/hub';
import type { RateLimitOptions } from '../../../src/server/rateLimits';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '../../../src/shared/hubProtocol';
import type { Chunk, JobInfo } from '../../../src/shared/jobs';
import type { Unprivileged } from '../../harness/unprivileged';

export { lines, newJob } from '../store/helpers';
export { newReporterKey } from '../../../src/core/hub/reporterKey';

export type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

export const VIEWER = 'viewer-token-0123456789abcdef';
export const OPERATOR = 'operator-token-0123456789abcdef';
const REPO = path.resolve(__dirname, '../../..');

/** A temp folder removed by the returned function. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vmo-hub-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A hub in this process, on PGlite in a temp folder. */
export interface TestHub {
  hub: Hub;
  store: JobStore;
  close(): Promise<void>;
}

/** `cluster`: the postgres:// URL of `store`, to share live events with other hubs on it. */
export async function startTestHub(options: { graceMs?: number; store?: JobStore; port?: number; cluster?: string; rateLimits?: RateLimitOptions; throttle?: LoginThrottle } = {}): Promise<TestHub> {
  const temp = options.store ? undefined : tempDir();
  const store = options.store ?? (await PgliteJobStore.open({ dir: path.join(temp!.dir, 'db') }));
  await store.migrate();
  const hub = await startHub({
    store,
    tokens: [
      { role: 'viewer', token: VIEWER },
      { role: 'operator', token: OPERATOR },
    ],
    host: '127.0.0.1',
    port: options.port ?? 0,
    graceMs: options.graceMs ?? 30_000,
    throttle: options.throttle ?? new LoginThrottle(20, 100),
    log: () => undefined,
    cluster: options.cluster,
    rateLimits: options.rateLimits,
  });
  return {
    hub,
    store,
    async close() {
      await hub.close();
      await store.close();
      temp?.remove();
    },
  };
}

// Runs `body` with a hub on PGlite in a temp folder, and `restart`, which closes it and starts
// another on the same store (a restarted hub); closes everything after, also on failure.
export async function acrossRestart(body: (first: TestHub, restart: () => Promise<TestHub>) => Promise<void>): Promise<void> {
  const temp = tempDir();
  const store = await PgliteJobStore.open({ dir: path.join(temp.dir, 'db') });
  const hubs = [await startTestHub({ store })];
  try {
    await body(hubs[0], async () => {
      await hubs[0].hub.close();
      hubs.push(await startTestHub({ store }));
      return hubs[1];
    });
  } finally {
    for (const h of hubs) await h.hub.close();
    await store.close();
    temp.remove();
  }
}

// One TestHub for the tests of the file that calls this at its top: started before them, closed
// after them together with every client that `client()` connected (to it or to another hub).
export function sharedTestHub(timeout = 120_000): { readonly t: TestHub; client(url: string, auth: Record<string, unknown>): Promise<Client> } {
  let t: TestHub | undefined;
  const clients: Client[] = [];
  before(async () => {
    t = await startTestHub();
  }, { timeout });
  after(async () => {
    for (const c of clients) c.close();
    await t?.close();
  });
  return {
    get t() {
      if (!t) throw new Error('The shared hub starts before the tests');
      return t;
    },
    async client(url, auth) {
      const c = await connect(url, auth);
      clients.push(c);
      return c;
    },
  };
}

/** A connected client of /jobs; rejects with the server's refusal. */
export function connect(url: string, auth: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}): Promise<Client> {
  const socket: Client = io(`${url}/jobs`, { auth, transports: ['websocket'], reconnection: false, timeout: 5000, forceNew: true, ...extra });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

/** Resolves when `done()` is true, polling; rejects after `ms`. */
export async function until(done: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!(await done())) {
    if (Date.now() - start > ms) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** How many chunks a `report:chunks` answer accepted, or its error. */
export const accepted = (answer: Ack<{ accepted: number }>): number | string => (answer.ok ? answer.accepted : answer.error);

// What a client that does not hold a job's key tries with it, knowing its id (as every client
// does): an end, a start (to take it over), then output at `seq`. Each must be refused naming the
// job; the start and the end as reported by another window (output too, where `seq` would be
// taken by a hub that runs the job).
export async function assertReportsRefused(intruder: Client, job: JobInfo, seq: number, outputRefusal = /reported by another window/): Promise<void> {
  const result = { status: 'failed', exitCode: 99, signal: null, durationMs: 1, finishedAt: Date.now() } as const;
  const refusals: [Ack, RegExp][] = [
    [await intruder.timeout(10_000).emitWithAck('report:finished', { jobId: job.id, result }), /reported by another window/],
    [await intruder.timeout(10_000).emitWithAck('report:started', { ...job, title: 'forged', status: 'running' }), /reported by another window/],
    [await intruder.timeout(10_000).emitWithAck('report:chunks', { jobId: job.id, chunks: [{ seq, ts: 1, stream: 'stdout', text: 'forged\n' }] }), outputRefusal],
  ];
  for (const [answer, reason] of refusals) assert.ok(!answer.ok && answer.error.includes(job.id) && reason.test(answer.error) && answer.retryAfterMs === undefined, JSON.stringify(answer));
}

/** A job's output of random lines (which nothing compresses), reported through `op` as a window does, and how far the hub said it is stored. */
export interface RandomOutput {
  sent: Chunk[];
  /** The highest seq the hub acknowledged as stored, in answers and `report:stored`. */
  storedSeq(): number;
  /** Sends one report of `linesPerReport` new lines; resolves with its answer (rejects when none came). */
  report(): Promise<void>;
  /** Keeps four reports in flight (a window's) until `done()` is true; a report without an answer waits 50 ms. */
  reportUntil(done: () => boolean): Promise<void>;
}

export function randomOutput(op: Client, jobId: string, lineChars = 6000, linesPerReport = 5): RandomOutput {
  const sent: Chunk[] = [];
  let storedSeq = -1;
  op.on('report:stored', (event) => {
    if (event.jobId === jobId) storedSeq = Math.max(storedSeq, event.storedSeq);
  });
  const report = async (): Promise<void> => {
    const chunks = Array.from({ length: linesPerReport }, (): Chunk => {
      const chunk: Chunk = { seq: sent.length, ts: Date.now(), stream: 'stdout', text: `${randomBytes(Math.ceil((lineChars * 3) / 4)).toString('base64')}\n` };
      sent.push(chunk);
      return chunk;
    });
    const answer = await op.timeout(15_000).emitWithAck('report:chunks', { jobId, chunks });
    if (answer.ok) storedSeq = Math.max(storedSeq, answer.storedSeq);
  };
  const reportUntil = async (done: () => boolean): Promise<void> => {
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (!done()) await report().catch(() => new Promise((resolve) => setTimeout(resolve, 50)));
      }),
    );
  };
  return { sent, storedSeq: () => storedSeq, report, reportUntil };
}

/** GET on the HTTP API. */
export async function get(url: string, pathName: string, headers: Record<string, string> = { authorization: `Bearer ${VIEWER}` }): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}${pathName}`, { headers, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The real hub process (`node --import tsx src/server/main.ts`), once it printed its first line. */
export interface HubProcess {
  child: ChildProcess;
  firstLine: string;
  url: string;
  stderr: () => string;
  /** Resolves with the exit code (or signal) once the process ended. */
  exited: Promise<number | string | null>;
  /** SIGTERM, then SIGKILL after `ms`; resolves when it has exited. */
  stop(ms?: number): Promise<number | string | null>;
}

/** The hub from the sources, or from `script` (a built one); as `user` when given (its `child` is then runuser's). */
export function spawnHub(args: string[], timeoutMs = 60_000, script?: string, user?: Unprivileged): Promise<HubProcess> {
  const main = script ? [script] : ['--import', 'tsx', path.join(REPO, 'src/server/main.ts')];
  const [command, argv] = user ? user.command(process.execPath, [...main, ...args]) : [process.execPath, [...main, ...args]];
  const child = spawn(command, argv, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const stop = async (ms = 20_000): Promise<number | string | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`The hub printed no line within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      const wasEmpty = !stdout.includes('\n');
      stdout += d.toString();
      if (wasEmpty && stdout.includes('\n')) {
        clearTimeout(timer);
        const firstLine = stdout.slice(0, stdout.indexOf('\n'));
        resolve({ child, firstLine, url: firstLine.replace(/^listening /, ''), stderr: () => stderr, exited, stop });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`The hub exited (${code}) before printing a line; stderr: ${stderr}`));
    });
  });
}
