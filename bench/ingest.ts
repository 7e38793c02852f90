// Job output through the whole product into the store: a producer prints 1,000,000 lines (~100 MB)
// as fast as it can; the real runner (startJob, on a pseudo-terminal 160×40 as the console runs
// targets) cuts it into chunks, a HubReporter sends them to the built hub (`node dist/server.js`,
// a process of its own) whose BatchWriter stores them, in PostgreSQL (a throwaway cluster with
// fsync on, or VMO_TEST_DATABASE_URL) and again in PGlite (a folder). Each rate runs from the
// producer's start until the hub says the job's last chunk and its end are stored.
//
//   npm run bench -- ingest [--lines 1000000] [--transport pty|pipes] [--seed-mb 16] [--latency-s 5] [--timeout-s 1200]
//                           [--hub-cpu-prof <dir>]   (each hub writes a .cpuprofile under <dir>/<store>)
//
// In the same run, on the same server:
// - seed_style_mib_s: the seed's way (_seedStyle.ts): one emit and one INSERT per read of the
//   program's output, each awaited. It is slow, so it stores the first `--seed-mb` MB of the same
//   output only (seed_style_sample_mb); its rate does not depend on the length.
// - copy_limit_mib_s: the chunks the runner made in the PostgreSQL run, written by one
//   `COPY job_events FROM STDIN` (text format, prepared beforehand) into the same table of an
//   empty database: what the server can take at most, the limit (_pgCopy.ts).
// - runner_only_mib_s: the producer through startJob with the chunks dropped: what the runner
//   itself allows, so that a shortfall can be told apart from the hub's.
// - latency_p99_ms: the producer paced at 10 MiB/s for `--latency-s` seconds stamps every line
//   with the time it wrote it; a viewer socket that joined the job (`join-job`) takes the time
//   of each line's `job:log`. The worse of the PostgreSQL and PGlite hubs is the headline.
// - hub_rss_growth_mb: the hub's VmRSS after its runs (throughput and latency) minus after its
//   start; the worse of the two hubs is the headline, each is in `detail`.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startJob } from '../src/core/exec/startJob';
import { HubReporter } from '../src/core/hub/hubReporter';
import { PostgresJobStore } from '../src/core/store/postgresJobStore';
import type { JobLogEvent } from '../src/shared/hubProtocol';
import type { Chunk, JobInfo } from '../src/shared/jobs';
import { connect, until, type Client } from '../test/unit/server/helpers';
import { startTestPostgres } from '../test/harness/postgres';
import { buildHubIfStale, cpuMsOf, OPERATOR, rssOf, startHubProcess, VIEWER, type HubProcess } from './_hubProcess';
import { copyFromStdin, copyText } from './_pgCopy';
import { seedStyle } from './_seedStyle';
import { rate } from './ingest-store';
import { machine } from './machine';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}

const LINES = Number(arg('lines', '1000000'));
const USE_PTY = arg('transport', 'pty') !== 'pipes';
const SEED_MB = Number(arg('seed-mb', '16'));
const LATENCY_S = Number(arg('latency-s', '5'));
const TIMEOUT_MS = Number(arg('timeout-s', '1200')) * 1000;
const LINE_BYTES = 100;
const PACED_BYTES_PER_S = 10 * 2 ** 20;
const GOALS = { ratio_vs_seed: 30, ratio_vs_limit: 0.6, latency_p99_ms: 100, hub_rss_growth_mb: 100 };

// Lines of LINE_BYTES like a build log, each stamped `@<epoch ms>` with when it was written.
// argv: lines, bytes per second (0: as fast as the reader takes them).
const PRODUCER = `
const lines = Number(process.argv[2]);
const pace = Number(process.argv[3]);
const PAD = ' cc -O2 -c src/module.c -o build/module.o -Wall -Wextra -fPIC -Iinclude -DNDEBUG ' + '.'.repeat(${LINE_BYTES});
function block(from, to) {
  const stamp = (performance.timeOrigin + performance.now()).toFixed(1);
  let text = '';
  for (let n = from; n < to; n++) text += (String(n).padStart(7, '0') + ' @' + stamp + PAD).slice(0, ${LINE_BYTES - 1}) + '\\n';
  return text;
}
let next = 0;
if (pace > 0) {
  const start = performance.now();
  const tick = () => {
    const due = Math.min(lines, Math.floor((((performance.now() - start) / 1000) * pace) / ${LINE_BYTES}));
    if (due > next) process.stdout.write(block(next, due));
    next = Math.max(next, due);
    if (next < lines) setTimeout(tick, 2);
  };
  tick();
} else {
  const more = () => {
    while (next < lines) {
      const end = Math.min(lines, next + 500);
      const ok = process.stdout.write(block(next, end));
      next = end;
      if (!ok) return process.stdout.once('drain', more);
    }
  };
  more();
}
`;

const tmp = mkdtempSync(path.join(os.tmpdir(), 'vmo-bench-ingest-'));
const producerFile = path.join(tmp, 'producer.js');
const producer = (lines: number, pace = 0): string[] => [process.execPath, producerFile, String(lines), String(pace)];
const live = { hubs: new Set<HubProcess>() };

const round = (v: number, digits = 1): number => Math.round(v * 10 ** digits) / 10 ** digits;
const mib = (bytes: number): number => bytes / 2 ** 20;
const epochNow = (): number => performance.timeOrigin + performance.now();

function percentile(sorted: Float64Array, p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function jobInfo(argv: string[]): JobInfo {
  return { id: randomUUID(), kind: 'target', mode: 'console', title: 'bench ingest', argv, cwd: tmp, hostname: os.hostname(), startedAt: Date.now(), status: 'running' };
}

/** The producer through startJob, each chunk to `onChunk`; resolves at the job's end with its result. */
async function runProducer(argv: string[], onChunk: (chunk: Chunk) => void) {
  const job = startJob({ argv, cwd: tmp, usePty: USE_PTY, cols: 160, rows: 40 }, { onChunk });
  const result = await job.done;
  if (result.status !== 'success') throw new Error(`The producer ended ${result.status} (${result.exitCode})`);
  return { result, transport: job.transport };
}

/** A reporter connected to `hub`. */
async function reporterFor(hub: HubProcess, name: string): Promise<HubReporter> {
  const reporter = new HubReporter({ url: hub.url, token: OPERATOR, reporterId: `bench-${name}`, spoolDir: path.join(tmp, `spool-${name}`) });
  await until(() => reporter.connected, 10_000, 'the reporter to connect');
  return reporter;
}

/** Waits until the hub says everything reported is stored, and checks its account of the job. */
async function stored(reporter: HubReporter, viewer: Client, job: JobInfo, lastSeq: number): Promise<void> {
  if (!(await reporter.idle(TIMEOUT_MS))) throw new Error('The hub did not store the job in time');
  const answer = (await viewer.timeout(10_000).emitWithAck('jobs:get', job.id)) as { ok: boolean; job?: { lastSeq?: number; status: string } };
  if (!answer.ok || answer.job?.lastSeq !== lastSeq || answer.job.status !== 'success') throw new Error(`The hub stored ${JSON.stringify(answer)}, expected lastSeq ${lastSeq}`);
}

/** 1M lines through runner, reporter and hub, until stored. */
async function throughput(hub: HubProcess, viewer: Client, name: string, keep: Chunk[] | undefined) {
  const reporter = await reporterFor(hub, name);
  try {
    const job = jobInfo(producer(LINES));
    let bytes = 0;
    let lastSeq = -1;
    const start = performance.now();
    const cpuBefore = { hub: cpuMsOf(hub.pid), bench: process.cpuUsage() };
    reporter.started(job);
    const { result, transport } = await runProducer(job.argv, (chunk) => {
      reporter.chunks(job.id, [chunk]);
      bytes += Buffer.byteLength(chunk.text);
      lastSeq = chunk.seq;
      keep?.push(chunk);
    });
    const producedMs = performance.now() - start;
    reporter.finished(job.id, result);
    await stored(reporter, viewer, job, lastSeq);
    const ms = performance.now() - start;
    const benchCpu = process.cpuUsage(cpuBefore.bench);
    const cpu_ms = { hub: cpuMsOf(hub.pid) - cpuBefore.hub, runner_and_reporter: Math.round((benchCpu.user + benchCpu.system) / 1000), available: Math.round(ms * os.cpus().length) };
    return { transport, bytes, chunks: lastSeq + 1, produced_ms: Math.round(producedMs), stored_ms: Math.round(ms), mib_s: round(mib(bytes) / (ms / 1000)), cpu_ms };
  } finally {
    await reporter.close(1000);
  }
}

/** The producer paced at 10 MiB/s; a viewer that joined the job times each line's arrival. */
async function latency(hub: HubProcess, viewer: Client, name: string) {
  const reporter = await reporterFor(hub, `${name}-paced`);
  const lines = Math.round((PACED_BYTES_PER_S * LATENCY_S) / LINE_BYTES);
  const latencies = new Float64Array(lines);
  /** Per line: written → its chunk handed to the reporter; per chunk: handed over → at the viewer. */
  const toRunner = new Float64Array(lines);
  const toViewer: number[] = [];
  const handedAt: number[] = [];
  let count = 0;
  try {
    const job = jobInfo(producer(lines, PACED_BYTES_PER_S));
    const onLog = (event: JobLogEvent): void => {
      if (event.jobId !== job.id) return;
      const now = epochNow();
      const handed = handedAt[event.seq]!;
      toViewer.push(now - handed);
      for (let at = event.chunk.indexOf('@'); at >= 0 && count < lines; at = event.chunk.indexOf('@', at + 1)) {
        const stamp = Number(event.chunk.slice(at + 1, event.chunk.indexOf(' ', at)));
        toRunner[count] = handed - stamp;
        latencies[count++] = now - stamp;
      }
    };
    viewer.on('job:log', onLog);
    reporter.started(job);
    await until(async () => ((await viewer.timeout(5000).emitWithAck('join-job', { jobId: job.id, fromSeq: 0 })) as { ok: boolean }).ok, 10_000, 'join-job');
    let lastSeq = -1;
    const { result } = await runProducer(job.argv, (chunk) => {
      handedAt[chunk.seq] = epochNow();
      reporter.chunks(job.id, [chunk]);
      lastSeq = chunk.seq;
    });
    reporter.finished(job.id, result);
    await stored(reporter, viewer, job, lastSeq);
    await until(() => count >= lines, 10_000, 'every paced line at the viewer');
    viewer.off('job:log', onLog);
    await viewer.timeout(5000).emitWithAck('leave-job', job.id);
    const sorted = latencies.slice(0, count).sort();
    const runnerLeg = toRunner.slice(0, count).sort();
    const hubLeg = Float64Array.from(toViewer).sort();
    return {
      lines: count,
      chunks: toViewer.length,
      mib_s: round(mib(PACED_BYTES_PER_S)),
      p50_ms: round(percentile(sorted, 50)),
      p99_ms: round(percentile(sorted, 99)),
      max_ms: round(sorted[count - 1]!),
      // The two legs: written → chunk out of the runner (per line); chunk → viewer (per chunk).
      runner_p50_ms: round(percentile(runnerLeg, 50)),
      runner_p99_ms: round(percentile(runnerLeg, 99)),
      hub_p50_ms: round(percentile(hubLeg, 50)),
      hub_p99_ms: round(percentile(hubLeg, 99)),
    };
  } finally {
    await reporter.close(1000);
  }
}

/** Both runs against a hub on `database`; the hub's memory before and after. */
async function throughHub(database: string, name: string, keep?: Chunk[]) {
  const dir = path.join(tmp, `hub-${name}`);
  mkdirSync(dir);
  const profile = arg('hub-cpu-prof', '');
  const hub = await startHubProcess(database, dir, profile ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(profile, name)] : []);
  live.hubs.add(hub);
  try {
    const viewer = await connect(hub.url, { token: VIEWER });
    await new Promise((r) => setTimeout(r, 500));
    const before = rssOf(hub.pid);
    // Paced first: the flood's chunks, kept for the COPY, would otherwise be in memory meanwhile.
    const paced = await latency(hub, viewer, name);
    const flood = await throughput(hub, viewer, name, keep);
    await new Promise((r) => setTimeout(r, 1000));
    const after = rssOf(hub.pid);
    viewer.close();
    return { ...flood, latency: paced, hub_rss_mb: { before: before.rss_mb, after: after.rss_mb, peak: after.peak_mb, growth: after.rss_mb - before.rss_mb } };
  } finally {
    await hub.stop();
    live.hubs.delete(hub);
  }
}

/** The producer through startJob with the chunks dropped. */
async function runnerOnly() {
  let bytes = 0;
  const start = performance.now();
  await runProducer(producer(LINES), (chunk) => (bytes += Buffer.byteLength(chunk.text)));
  const ms = performance.now() - start;
  return { ms: Math.round(ms), mib_s: round(mib(bytes) / (ms / 1000)) };
}

/** `chunks` of one job by one COPY into job_events of a fresh database: the server's limit. */
async function copyLimit(url: string, chunks: readonly Chunk[]) {
  const store = await PostgresJobStore.open({ url });
  const db = new pg.Client({ connectionString: url });
  try {
    await store.migrate();
    const job = jobInfo(['copy']);
    await store.jobStarted(job);
    const data: Buffer[] = [];
    let text = '';
    for (const c of chunks) {
      text += `${job.id}\t${c.seq}\t${new Date(c.ts).toISOString()}\t${c.stream}\t${copyText(c.text)}\n`;
      if (text.length >= 2 ** 20) {
        data.push(Buffer.from(text));
        text = '';
      }
    }
    if (text) data.push(Buffer.from(text));
    await db.connect();
    const start = performance.now();
    const rows = await copyFromStdin(db, 'COPY job_events (job_id, seq, ts, stream, chunk) FROM STDIN', data);
    const ms = performance.now() - start;
    if (rows !== chunks.length) throw new Error(`COPY stored ${rows} of ${chunks.length} rows`);
    return { ...rate(chunks, ms), rows };
  } finally {
    await db.end().catch(() => undefined);
    await store.close();
  }
}

async function main(): Promise<void> {
  writeFileSync(producerFile, PRODUCER);
  const rebuilt = buildHubIfStale();
  const server = await startTestPostgres({ durable: true });
  if (!server) throw new Error('No PostgreSQL: set VMO_TEST_DATABASE_URL or install Debian\'s postgresql');
  try {
    const runner = await runnerOnly();
    const chunks: Chunk[] = [];
    const postgres = await throughHub(await server.createDatabase(), 'postgres', chunks);
    const copy = await copyLimit(await server.createDatabase(), chunks);
    chunks.length = 0;
    const seedLines = Math.round((SEED_MB * 2 ** 20) / LINE_BYTES);
    const seed = await seedStyle(await server.createDatabase(), producer(seedLines), USE_PTY);
    const pglite = await throughHub(path.join(tmp, 'pglite'), 'pglite');

    const ratioVsSeed = postgres.mib_s / seed.mib_s;
    const ratioVsLimit = postgres.mib_s / copy.mib_per_s;
    const latencyP99 = Math.max(postgres.latency.p99_ms, pglite.latency.p99_ms);
    const rssGrowth = Math.max(postgres.hub_rss_mb.growth, pglite.hub_rss_mb.growth);
    const met = {
      ratio_vs_seed: ratioVsSeed >= GOALS.ratio_vs_seed,
      ratio_vs_limit: ratioVsLimit >= GOALS.ratio_vs_limit,
      latency_p99_ms: latencyP99 <= GOALS.latency_p99_ms,
      hub_rss_growth_mb: rssGrowth <= GOALS.hub_rss_growth_mb,
    };
    console.log(
      JSON.stringify({
        bench: 'ingest',
        lines: LINES,
        bytes: postgres.bytes,
        transport: postgres.transport,
        pg_mib_s: postgres.mib_s,
        pglite_mib_s: pglite.mib_s,
        seed_style_mib_s: seed.mib_s,
        seed_style_sample_mb: round(mib(seed.bytes)),
        ratio_vs_seed: round(ratioVsSeed),
        // One COPY … FROM STDIN of the same chunks: the server's limit.
        copy_limit_mib_s: copy.mib_per_s,
        ratio_vs_limit: round(ratioVsLimit, 2),
        latency_p99_ms: latencyP99,
        hub_rss_growth_mb: rssGrowth,
        runner_only_mib_s: runner.mib_s,
        // What no hub could beat on this machine: the runner alone against the limit, and the
        // limit itself against the seed's way (the highest ratio_vs_seed even at 100% of COPY).
        ceilings: { runner_only_vs_limit: round(runner.mib_s / copy.mib_per_s, 2), limit_vs_seed: round(copy.mib_per_s / seed.mib_s) },
        goals: GOALS,
        met,
        all_met: Object.values(met).every(Boolean),
        detail: { postgres, pglite, seed_style: seed, copy_limit: copy, runner_only: runner, hub_rebuilt: rebuilt, postgres_server: server.kind, load_average: os.loadavg().map((v) => round(v, 2)) },
        machine: machine(),
      }),
    );
  } finally {
    await server.close();
  }
}

// Nothing outlives the benchmark: on timeout or error the hubs are stopped and the cluster removed.
function abort(reason: unknown): void {
  console.error(reason);
  for (const hub of live.hubs) hub.child.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
  process.exit(1);
}

const timer = setTimeout(() => abort(new Error(`The benchmark took longer than ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
main().then(
  () => {
    clearTimeout(timer);
    rmSync(tmp, { recursive: true, force: true });
  },
  (error: unknown) => abort(error),
);
