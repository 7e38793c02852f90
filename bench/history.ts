// The job history at scale: 100,000 jobs and ~10M chunk rows in a real PostgreSQL (a throwaway
// cluster, or VMO_TEST_DATABASE_URL), loaded afresh on every run (see _historyData.ts), read by
// the product's own code: JobStore.listJobs / readEvents / readEventsBefore directly, and the
// hub's `jobs:list`, `jobs:get` and `jobs:events` over socket.io-client to a hub started in this
// process (startHub), which is what a history page does.
//
//   npm run bench -- history [--runs 15]
//
// list_ms: jobs:list pages, unfiltered and filtered, and a dozen more filters (detail). Opening a
// finished job of 1,000,000 lines (stored as the runner's flood chunks, and as one line per
// chunk): its head and tail through the hub, each read in the store, and in Chromium the console
// webview as the editor opens a stored job — HubJobs.follow into the replay recorder, ConsoleFeed
// from there — until the job's last line is on screen, against a one-line job in the same run.
// replay_full_ms: all 1,000,000 lines through the hub's paging. The definitions are printed with
// the figures; medians of --runs after a warm-up, with p95. EXPLAIN ANALYZE of each statement
// goes to stderr.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { io, type Socket } from 'socket.io-client';
import type { Chunk, JobInfo, JobQuery } from '../src/shared/jobs';
import { OPEN_TAIL_BYTES, type ClientToServerEvents, type ServerToClientEvents } from '../src/shared/hubProtocol';
import { HubJobs } from '../src/core/hub/hubJobs';
import { InMemoryRecorder } from '../src/core/jobs/inMemoryRecorder';
import { PostgresJobStore } from '../src/core/store/postgresJobStore';
import { startHub } from '../src/server/hub';
import { startTestPostgres } from '../test/harness/postgres';
import { explainAll } from './_historyExplain';
import { BIG_LAST_LINE, BIG_LINES, loadHistory, type History } from './_historyData';
import { startConsoleRenderer, type ConsoleRenderer, type LoadedJob, type RenderRun } from './_historyRender';
import { machine } from './machine';
import { arg, runBench } from './_cli';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const RUNS = Number(arg('runs', '15'));
const GOALS = { list_ms: 30, replay_first_screen_ms: 300, replay_first_screen_vs_baseline: 1.5 };
const TOKEN = 'bench-history-viewer-token-0123456789';
const TIMEOUT_MS = 9 * 60_000;
const DEFINITIONS = {
  list_ms: 'worse median of jobs:list through the hub: the first page (50 jobs, no filter) and a filtered page (status failed + alias + text)',
  replay_first_screen_ms:
    'worse median of the two 1M-line jobs (32K-character chunks; one line per chunk): from the editor asking the hub for the job (HubJobs.follow: jobs:get and ' +
    'jobs:events of its last OPEN_TAIL_BYTES (16 KiB, at least one chunk), into the replay recorder) until the job\'s last line is on screen in the console webview in Chromium, fed by ' +
    'ConsoleFeed (detail.rendered). detail.open has the head of the job (jobs:events from seq 0, the hub\'s 4 MiB page) through the hub without rendering',
  replay_first_screen_baseline_ms: 'the same for a job of one line held in memory: what the page and the bridge cost on this machine in this run',
  replay_full_ms: 'worse of the two jobs: every chunk through jobs:events pages (the hub\'s default: 1000 chunks or 4 MiB)',
};

const round = (v: number, digits = 1): number => Math.round(v * 10 ** digits) / 10 ** digits;

/** Median and p95 of `runs` timed calls of `fn`, after one untimed warm-up. */
async function timed(fn: () => Promise<unknown>, runs = RUNS): Promise<{ median_ms: number; p95_ms: number; first_ms: number }> {
  const first = performance.now();
  await fn();
  const firstMs = performance.now() - first;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return {
    median_ms: round(times[Math.floor(times.length / 2)]!),
    p95_ms: round(times[Math.min(times.length - 1, Math.ceil(times.length * 0.95) - 1)]!),
    first_ms: round(firstMs),
  };
}

/** An acknowledged hub request; a refusal throws. */
async function ask<T>(client: Client, event: 'jobs:list' | 'jobs:get' | 'jobs:events', payload: unknown): Promise<T> {
  const answer = (await (client.timeout(60_000) as unknown as { emitWithAck(e: string, p: unknown): Promise<unknown> }).emitWithAck(event, payload)) as {
    ok: boolean;
    error?: string;
  } & T;
  if (!answer.ok) throw new Error(`${event} failed: ${answer.error}`);
  return answer;
}

type Chunks = { chunks: Array<{ seq: number; text: string }> };
const linesIn = (chunks: Chunks['chunks']): number => chunks.reduce((n, c) => n + c.text.split('\n').length - 1, 0);

// More filters a user may set, each timed through the hub like the headline pages: to find a
// filter the indexes do not serve before a user does.
function moreFilters(history: History): Record<string, JobQuery> {
  const day = 86_400_000;
  const now = Date.now();
  return {
    status_failed: { status: 'failed' },
    status_not_success: { status: ['failed', 'canceled', 'interrupted'] },
    status_running: { status: 'running' },
    kind_remote_command: { kind: 'remote-command' },
    vm: { vm: 'prod/db-01' },
    alias_last_month: { alias: history.filter.alias, from: now - 60 * day, to: now - 30 * day },
    text_common: { text: 'make' },
    text_rare: { text: 'web-03 journalctl' },
    text_two_letters: { text: 'db' },
    text_none: { text: 'no-such-command-xyz' },
    failed_text_rare: { status: 'failed', text: 'restart redis' },
    kind_vm_failed: { kind: 'ssh-logs', vm: 'staging/web-02', status: ['failed', 'interrupted'] },
  };
}

/** The history page's requests: a page of jobs, unfiltered and filtered, and the next filtered page. */
async function measureLists(client: Client, store: PostgresJobStore, history: History) {
  const filtered: JobQuery = { ...history.filter };
  const firstFiltered = await store.listJobs(filtered);
  if (firstFiltered.jobs.length === 0) throw new Error(`The filter ${JSON.stringify(filtered)} found no job`);
  const deep = await store.listJobs({ limit: 500 });
  const more: Record<string, { median_ms: number; p95_ms: number; jobs: number }> = {};
  for (const [name, query] of Object.entries({ ...moreFilters(history), page_after_500: { cursor: deep.nextCursor } })) {
    const { jobs } = await ask<{ jobs: unknown[] }>(client, 'jobs:list', query);
    const { median_ms, p95_ms } = await timed(() => ask(client, 'jobs:list', query), 5);
    more[name] = { median_ms, p95_ms, jobs: jobs.length };
  }
  return {
    hub: {
      first_page: await timed(() => ask(client, 'jobs:list', {})),
      filtered_page: await timed(() => ask(client, 'jobs:list', filtered)),
    },
    store: {
      first_page: await timed(() => store.listJobs({})),
      filtered_page: await timed(() => store.listJobs(filtered)),
    },
    filter: filtered,
    filtered_jobs_on_first_page: firstFiltered.jobs.length,
    more_filters_via_hub: more,
  };
}

/** A finished job and the end of its output, asked of the hub as HubJobs.follow asks. */
async function hubTail(client: Client, jobId: string): Promise<Chunk[]> {
  const [, { chunks }] = await Promise.all([
    ask(client, 'jobs:get', jobId),
    ask<{ chunks: Chunk[] }>(client, 'jobs:events', { jobId, beforeSeq: 'end', maxBytes: OPEN_TAIL_BYTES }),
  ]);
  return chunks;
}

/** Opening a finished job: its head (from seq 0) or its tail, through the hub and in the store. */
async function measureOpen(client: Client, store: PostgresJobStore, jobId: string) {
  const head = async (): Promise<number> => {
    await ask(client, 'jobs:get', jobId);
    return (await ask<Chunks>(client, 'jobs:events', { jobId, fromSeq: 0 })).chunks.length;
  };
  const headPage = (await ask<Chunks>(client, 'jobs:events', { jobId, fromSeq: 0 })).chunks;
  const tail = await hubTail(client, jobId);
  const size = (chunks: Chunks['chunks']) => ({ chunks: chunks.length, lines: linesIn(chunks), bytes: chunks.reduce((n, c) => n + Buffer.byteLength(c.text), 0) });
  return {
    head_via_hub: { ...(await timed(head, 7)), ...size(headPage) },
    tail_via_hub: { ...(await timed(() => hubTail(client, jobId), 7)), ...size(tail) },
    store_head_page: await timed(() => store.readEvents(jobId, 0), 7),
    store_tail: await timed(() => store.readEventsBefore(jobId, undefined, { maxBytes: OPEN_TAIL_BYTES }), 7),
  };
}

/** Median and slowest of five openings in the console after a warm-up. */
async function renderRuns(renderer: ConsoleRenderer, load: () => Promise<LoadedJob>) {
  await renderer.open(load, BIG_LAST_LINE);
  const all: RenderRun[] = [];
  for (let i = 0; i < 5; i++) all.push(await renderer.open(load, BIG_LAST_LINE));
  const ms = all.map((r) => r.ms).sort((a, b) => a - b);
  return { median_ms: ms[2]!, max_ms: ms[4]!, chunks: all[0]!.chunks, bytes: all[0]!.bytes };
}

/** A stored job as the editor opens it: followed through the hub into a replay recorder of its own. */
async function followed(hubJobs: HubJobs, jobId: string): Promise<LoadedJob> {
  const replays = new InMemoryRecorder();
  await hubJobs.follow(jobId, replays);
  return { source: replays, jobId, dispose: () => replays.dispose() };
}

// The baseline of the same run: a finished job of one line, already in memory, opened the same way.
// What the page and the bridge cost whatever the history holds.
function renderBaseline(renderer: ConsoleRenderer) {
  const job: JobInfo = { id: randomUUID(), kind: 'target', mode: 'console', title: 'one line', argv: ['echo'], hostname: 'bench', startedAt: Date.now(), status: 'running' };
  return renderRuns(renderer, async () => {
    const recorder = new InMemoryRecorder();
    recorder.started(job);
    recorder.chunks(job.id, [{ seq: 0, ts: Date.now(), stream: 'stdout', text: `${BIG_LAST_LINE}\n` }]);
    recorder.finished(job.id, { status: 'success', exitCode: 0, signal: null, durationMs: 1, finishedAt: Date.now() });
    return { source: recorder, jobId: job.id, dispose: () => recorder.dispose() };
  });
}

/** Every chunk of a job through the hub's paging, checked for order and count. */
async function replayFull(client: Client, jobId: string, expectLines: number) {
  const start = performance.now();
  let next = 0;
  let lines = 0;
  let pages = 0;
  for (;;) {
    const { chunks } = await ask<Chunks>(client, 'jobs:events', { jobId, fromSeq: next });
    if (chunks.length === 0) break;
    if (chunks[0]!.seq !== next) throw new Error(`Expected seq ${next}, got ${chunks[0]!.seq}`);
    lines += linesIn(chunks);
    next = chunks[chunks.length - 1]!.seq + 1;
    pages++;
  }
  const ms = performance.now() - start;
  if (lines !== expectLines) throw new Error(`Replayed ${lines} lines, expected ${expectLines}`);
  return { ms: Math.round(ms), pages, chunks: next, lines, lines_per_s: Math.round(lines / (ms / 1000)) };
}

/** The machine's load average every 2 s while measuring: other sessions share these cores. */
function sampleLoad(): { stop(): { start: number[]; end: number[]; max_1min: number; mean_1min: number } } {
  const start = os.loadavg();
  const samples: number[] = [start[0]!];
  const timer = setInterval(() => samples.push(os.loadavg()[0]!), 2000);
  return {
    stop() {
      clearInterval(timer);
      const end = os.loadavg();
      samples.push(end[0]!);
      return {
        start: start.map((v) => round(v, 2)),
        end: end.map((v) => round(v, 2)),
        max_1min: round(Math.max(...samples), 2),
        mean_1min: round(samples.reduce((a, b) => a + b, 0) / samples.length, 2),
      };
    },
  };
}

async function main(): Promise<void> {
  const server = await startTestPostgres();
  if (!server) throw new Error('No PostgreSQL: set VMO_TEST_DATABASE_URL or install Debian\'s postgresql');
  const loadBefore = os.loadavg().map((v) => round(v, 2));
  try {
    const url = await server.createDatabase();
    const store = await PostgresJobStore.open({ url });
    try {
      await store.migrate();
      const loadStart = performance.now();
      const history = await loadHistory(url);
      const loadMs = Math.round(performance.now() - loadStart);
      console.error(`loaded ${history.jobs} jobs, ${history.eventRows} event rows in ${loadMs} ms ${JSON.stringify(history.loadMs)}`);
      const plans = await explainAll(url, history, { first_page: {}, filtered_page: history.filter, ...moreFilters(history) });
      for (const [name, plan] of Object.entries(plans)) console.error(`--- ${name}\n${plan}`);

      const hub = await startHub({ store, tokens: [{ role: 'viewer', token: TOKEN }], host: '127.0.0.1', port: 0, graceMs: 3_600_000, log: (m) => console.error(`hub: ${m}`) });
      const client: Client = io(`${hub.url}/jobs`, { auth: { token: TOKEN }, transports: ['websocket'], reconnection: false, forceNew: true });
      try {
        await new Promise<void>((resolve, reject) => {
          client.once('connect', resolve);
          client.once('connect_error', reject);
        });
        const load = sampleLoad();
        const lists = await measureLists(client, store, history);
        console.error(`lists ${JSON.stringify(lists)}`);
        const open = { flood: await measureOpen(client, store, history.flood.id), one_line_chunks: await measureOpen(client, store, history.oneLine.id) };
        console.error(`open ${JSON.stringify(open)}`);
        const renderer = await startConsoleRenderer();
        const hubJobs = new HubJobs({ url: hub.url, token: TOKEN, limit: 50 });
        let rendered;
        try {
          rendered = {
            baseline_one_line_job: await renderBaseline(renderer),
            flood: await renderRuns(renderer, () => followed(hubJobs, history.flood.id)),
            one_line_chunks: await renderRuns(renderer, () => followed(hubJobs, history.oneLine.id)),
          };
        } finally {
          hubJobs.close();
          await renderer.close();
        }
        console.error(`rendered ${JSON.stringify(rendered)}`);
        const full = {
          flood: await replayFull(client, history.flood.id, BIG_LINES),
          one_line_chunks: await replayFull(client, history.oneLine.id, BIG_LINES),
        };
        console.error(`full ${JSON.stringify(full)}`);
        const loadDuring = load.stop();

        const listMs = Math.max(lists.hub.first_page.median_ms, lists.hub.filtered_page.median_ms);
        const firstScreenMs = Math.max(rendered.flood.median_ms, rendered.one_line_chunks.median_ms);
        const vsBaseline = round(firstScreenMs / rendered.baseline_one_line_job.median_ms, 2);
        const met = {
          list_ms: listMs <= GOALS.list_ms,
          replay_first_screen_ms: firstScreenMs <= GOALS.replay_first_screen_ms,
          replay_first_screen_vs_baseline: vsBaseline <= GOALS.replay_first_screen_vs_baseline,
        };
        console.log(
          JSON.stringify({
            bench: 'history',
            jobs: history.jobs,
            event_rows: history.eventRows,
            list_ms: listMs,
            list_p95_ms: Math.max(lists.hub.first_page.p95_ms, lists.hub.filtered_page.p95_ms),
            replay_first_screen_ms: firstScreenMs,
            replay_first_screen_baseline_ms: rendered.baseline_one_line_job.median_ms,
            replay_first_screen_vs_baseline: vsBaseline,
            replay_full_ms: Math.max(full.flood.ms, full.one_line_chunks.ms),
            goals: GOALS,
            met,
            all_met: Object.values(met).every(Boolean),
            definitions: DEFINITIONS,
            detail: { lists, open, rendered, full },
            load: { ms: loadMs, steps_ms: history.loadMs, cached: false },
            runs: RUNS,
            postgres_server: server.kind,
            load_average: { before_load: loadBefore, while_measuring: loadDuring, note: 'shared 2-core machine, busy with other work' },
            machine: machine(),
          }),
        );
      } finally {
        client.close();
        await hub.close();
      }
    } finally {
      await store.close();
    }
  } finally {
    await server.close();
  }
}

runBench(main, TIMEOUT_MS);
