// Job output through the whole product into the store: a producer prints 1,000,000 lines (~100 MB)
// as fast as it can; the real runner (startJob, on a pseudo-terminal 160×40 as the console runs
// targets) cuts it into chunks, a HubReporter on a thread of its own (as the extension runs it) sends
// them to the built hub (`node dist/server.js`, a process of its own) whose BatchWriter stores them,
// in PostgreSQL (a throwaway cluster with fsync on, or VMO_TEST_DATABASE_URL) and again in PGlite
// (a folder). Each rate runs from the job's start until the hub says its last chunk and its end are
// stored. Each run's cpu_ms: the hub, of it its main thread (hub_main_thread; the rest is its other
// threads, on PGlite mostly the database thread), this process (runner and reporter), of it its
// main thread (bench_main_thread: the runner; the rest is mostly the reporter's thread), the
// machine, and what the CPUs offered.
//
//   npm run bench -- ingest [--lines 1000000] [--transport pty|pipes] [--seed-mb 16] [--latency-s 5] [--timeout-s 1200]
//                           [--hub-cpu-prof <dir>]   (each hub writes a .cpuprofile under <dir>/<store>)
//
// The figures, each a ratio within this run; where both stores have one, the headline is the worse
// and both are in `detail`:
// - end_to_end_vs_runner_only: producer → runner → reporter → hub → store, against the producer
//   through the runner alone with its chunks dropped; in E2E_ROUNDS alternating rounds on each
//   store's hub (the runner alone, then end to end), their times summed, so that load from
//   elsewhere on the machine falls on both alike (`end_to_end_rounds` in detail; `end_to_end` is
//   the round of the median rate).
//   In `detail`, end_to_end_ceiling_vs_runner_only: the ratio if the CPU every process on the
//   machine took during the end-to-end run were spread evenly over all CPUs, the best they allow.
//   runner_beside_busy_cpu_vs_runner_only: the runner alone while another process keeps one CPU
//   busy with nothing (a loop at the hub's priority, in each round too), against the runner alone:
//   what storing costs the job merely by taking a CPU the runner alone leaves idle.
//   end_to_end_vs_runner_beside_busy_cpu: the end-to-end runs against that.
//   job_vs_runner_only: how much the product slows the job itself (the runner alone against the
//   time from the job's start to the producer's end, `fed_ms`); the reporter runs on a thread of
//   its own (reporterThread.ts) so that the runner's thread goes back to the pty sooner.
//   And limit_vs_runner_only: the same producer through the runner with each chunk going straight
//   into the store by COPY, no reporter or hub (_endToEndLimit.ts), against the runner alone: the
//   most end_to_end_vs_runner_only can reach on this machine with the output stored as text (the
//   hub deflates large chunks, see hub_vs_copy). end_to_end_vs_limit: the end-to-end run against
//   that limit.
// - hub_vs_copy: the chunks of a run of the same producer, prepared, reported at once by a HubReporter
//   on this thread, straight to the hub (no runner; in `detail`, prepared_via_thread: the same
//   through the window's reporter thread, which copies each chunk across threads), against a
//   COPY of the same rows into a fresh database of the same kind (_copyLimit.ts): what the hub
//   makes of what the store can take. In PREPARED_ROUNDS alternating rounds (the prepared run, then
//   a COPY), their times summed, as the end-to-end runs are (`prepared_rounds` in detail; `prepared`
//   and `copy` are the round of the median ratio): a single COPY took 325–480 ms from one run of
//   the bench to the next. The COPY takes each chunk as text; the hub stores a chunk of
//   4 KB or more deflated (packedOutput.ts), a tenth of the bytes, so on PGlite, where the
//   database's own work is most of the cost, it passes 1. In `detail`,
//   hub_vs_copy_ceiling: the ratio if the CPU every process took during the prepared run were
//   spread evenly over all CPUs.
//   On PostgreSQL also relay_vs_copy: the same rows through the least any hub can be (_relayLimit.ts:
//   a WebSocket hop to a process that pipes them into one COPY), against COPY; the most hub_vs_copy
//   can reach on this machine. And hub_vs_relay: the prepared run against that relay.
// - product_vs_seed_at_1ms_rtt: the end-to-end path against the seed's way (_seedStyle.ts: one
//   emit and one awaited INSERT per read of the output, on the first `--seed-mb` MB), both
//   reaching PostgreSQL through a proxy that adds 1 ms to each round trip (_delayProxy.ts).
// - latency_p99_ms: the producer paced at 10 MiB/s for `--latency-s` s stamps each line with the
//   time it wrote it; a viewer that joined the job, in a process of its own as a dashboard is
//   (_latencyViewer.ts), takes the time of each line's `job:log`. A paced second before it, not
//   counted, warms the new hub.
// - hub_rss_growth_mb: the hub's VmRSS 20 s after its runs (what it keeps; 1 s after, it still holds
//   its working set, `after_1s` in detail) minus before them.
// - hub_idle_rss_mb: the VmRSS of a hub that has just started on a new PGlite folder, 1 s after it
//   listens.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lowerPriority } from '../src/core/hub/hubLauncher';
import type { Chunk } from '../src/shared/jobs';
import { connect } from '../test/unit/server/helpers';
import { startTestPostgres } from '../test/harness/postgres';
import { copyIntoPglite, copyIntoPostgres } from './_copyLimit';
import { relayIntoPostgres } from './_relayLimit';
import { runnerIntoPglite, runnerIntoPostgres } from './_endToEndLimit';
import { startDelayProxy } from './_delayProxy';
import { buildHubIfStale, machineBusyMs, rssOf, startHubProcess, VIEWER, type HubProcess } from './_hubProcess';
import { LINE_BYTES, mib, producerIn, reporterFor, round, runProducer, type IngestSetup } from './_ingestJob';
import { endToEnd, latency, prepared, type HubRun } from './_ingestRuns';
import { seedStyle } from './_seedStyle';
import { machine } from './machine';
import { arg } from './_cli';

const LINES = Number(arg('lines', '1000000'));
const SEED_MB = Number(arg('seed-mb', '16'));
const LATENCY_S = Number(arg('latency-s', '5'));
const PACED_BYTES_PER_S = 10 * 2 ** 20;
/** How long after its runs the hub's memory is read: V8 gives back what the runs took after about 10 s idle. */
const SETTLE_MS = 20_000;
const RTT_MS = 1;
const E2E_ROUNDS = 3;
const PREPARED_ROUNDS = 3;
const GOALS = { end_to_end_vs_runner_only: 0.8, hub_vs_copy: 0.6, product_vs_seed_at_1ms_rtt: 30, latency_p99_ms: 100, hub_rss_growth_mb: 60, hub_idle_rss_mb: 150 };

const setup: IngestSetup = {
  tmp: mkdtempSync(path.join(os.tmpdir(), 'vmo-bench-ingest-')),
  usePty: arg('transport', 'pty') !== 'pipes',
  timeoutMs: Number(arg('timeout-s', '1200')) * 1000,
};
const producer = producerIn(setup);
const live = { hubs: new Set<HubProcess>(), loops: new Set<ChildProcess>() };
type CopyRate = Awaited<ReturnType<typeof copyIntoPostgres>>;
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A hub on `database` (a postgres:// URL or a PGlite folder) for the time of `body`. */
async function withHub<T>(database: string, name: string, body: (run: HubRun) => Promise<T>): Promise<T> {
  const dir = path.join(setup.tmp, `hub-${name}`);
  mkdirSync(dir);
  const profile = arg('hub-cpu-prof', '');
  const hub = await startHubProcess(database, dir, profile ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(profile, name)] : []);
  live.hubs.add(hub);
  const viewer = await connect(hub.url, { token: VIEWER });
  const reporter = await reporterFor(setup, hub, name);
  const direct = await reporterFor(setup, hub, name, 'here');
  try {
    return await body({ setup, hub, viewer, reporter, direct, name, producer });
  } finally {
    await Promise.all([reporter.close(1000), direct.close(1000)]);
    viewer.close();
    await hub.stop();
    live.hubs.delete(hub);
  }
}

// The paced run, the end-to-end run and the prepared chunks, on one hub, each prepared run followed
// by `copyInto` a fresh database; the hub's memory before and after. `chunks`: the prepared chunks,
// or an empty array that an untimed run of the producer fills after the end-to-end run (kept during
// it, 100 MB of chunks made this process take about a third more CPU and the job about a quarter
// longer).
function storeRuns(database: string, name: string, chunks: Chunk[], copyInto: (chunks: readonly Chunk[]) => Promise<CopyRate>) {
  return withHub(database, name, async (run) => {
    await pause(500);
    const before = rssOf(run.hub.pid);
    // Paced first: the flood's chunks, kept for later runs, would otherwise be in memory meanwhile.
    // A new hub compiles its code and plans its statements while it handles its first output, and a
    // new reporter's thread compiles its own: one paced second warms them, as a window's that has
    // been running are.
    await latency(run, PACED_BYTES_PER_S, 1);
    const paced = await latency(run, PACED_BYTES_PER_S, LATENCY_S);
    const rounds: { runner: Awaited<ReturnType<typeof runnerOnly>>; beside: Awaited<ReturnType<typeof runnerOnly>>; flood: Awaited<ReturnType<typeof endToEnd>> }[] = [];
    for (let i = 0; i < E2E_ROUNDS; i++) rounds.push({ runner: await runnerOnly(), beside: await runnerBesideBusyCpu(), flood: await endToEnd(run, LINES) });
    const flood = [...rounds].sort((a, b) => a.flood.mib_s - b.flood.mib_s)[Math.floor(E2E_ROUNDS / 2)].flood;
    if (chunks.length === 0) await runProducer(setup, producer(LINES), (chunk) => chunks.push(chunk));
    // The first tenth, untimed, warms the HubReporter of this thread as the paced second did the
    // window's; then the same chunks through the window's thread, as a window reaching its hub
    // hands over what its jobs printed meanwhile.
    await prepared(run, run.direct, chunks.slice(0, Math.ceil(chunks.length / 10)));
    const preparedRounds: { direct: Awaited<ReturnType<typeof prepared>>; copy: CopyRate }[] = [];
    for (let i = 0; i < PREPARED_ROUNDS; i++) preparedRounds.push({ direct: await prepared(run, run.direct, chunks), copy: await copyInto(chunks) });
    const ratioOf = (r: (typeof preparedRounds)[number]): number => r.copy.ms / r.direct.stored_ms;
    const median = [...preparedRounds].sort((a, b) => ratioOf(a) - ratioOf(b))[Math.floor(PREPARED_ROUNDS / 2)];
    const viaThread = await prepared(run, run.reporter, chunks);
    await pause(1000);
    const after = rssOf(run.hub.pid);
    await pause(SETTLE_MS - 1000);
    const settled = rssOf(run.hub.pid);
    return {
      end_to_end: flood,
      end_to_end_rounds: rounds.map(({ runner, beside, flood: f }) => ({ runner_ms: runner.ms, runner_beside_busy_cpu_ms: beside.ms, stored_ms: f.stored_ms, fed_ms: f.fed_ms, machine_cpu_ms: f.cpu_ms.machine })),
      prepared: median.direct,
      copy: median.copy,
      prepared_rounds: preparedRounds.map(({ direct, copy }) => ({ stored_ms: direct.stored_ms, copy_ms: copy.ms })),
      prepared_via_thread: viaThread,
      latency: paced,
      hub_rss_mb: { before: before.rss_mb, after_1s: after.rss_mb, settled: settled.rss_mb, peak: settled.peak_mb, growth: settled.rss_mb - before.rss_mb },
    };
  });
}

/** The producer through startJob with the chunks dropped. */
async function runnerOnly() {
  let bytes = 0;
  const [start, busy] = [performance.now(), machineBusyMs()];
  const { transport } = await runProducer(setup, producer(LINES), (chunk) => (bytes += Buffer.byteLength(chunk.text)));
  const ms = performance.now() - start;
  return { transport, ms: Math.round(ms), mib_s: round(mib(bytes) / (ms / 1000)), machine_cpu_ms: machineBusyMs() - busy };
}

// runnerOnly while another process spins on one CPU at the hub's priority (HUB_PRIORITY), doing
// nothing else: no memory, no I/O, no wakeups. It stops when killed, or once this process is gone
// (its parent changes), should this one be killed before it could kill it.
const BUSY_LOOP = 'const parent = process.ppid; for (let i = 1; ; i++) if (i % 1e7 === 0 && process.ppid !== parent) break;';
async function runnerBesideBusyCpu() {
  const loop = spawn(process.execPath, ['-e', BUSY_LOOP], { stdio: 'ignore' });
  live.loops.add(loop);
  lowerPriority(loop.pid);
  try {
    await pause(100);
    return await runnerOnly();
  } finally {
    loop.kill('SIGKILL');
    live.loops.delete(loop);
  }
}

/** A hub just started on a new PGlite folder: its memory and how long it took to listen. */
async function idleHub() {
  const start = performance.now();
  return withHub(path.join(setup.tmp, 'pglite-idle'), 'idle', async (run) => {
    const listenMs = performance.now() - start;
    await pause(1000);
    return { listen_ms: Math.round(listenMs), ...rssOf(run.hub.pid) };
  });
}

/** The end-to-end path and the seed's way, both through a proxy adding RTT_MS to each round trip. */
async function atRtt(url: string, seedUrl: string) {
  const target = new URL(url);
  const proxy = await startDelayProxy({ host: target.hostname, port: Number(target.port) }, RTT_MS);
  const viaProxy = (u: string): string => Object.assign(new URL(u), { host: `${proxy.host}:${proxy.port}` }).href;
  try {
    const product = await withHub(viaProxy(url), 'postgres-rtt', async (run) => {
      // Warms the hub and the reporter, as in storeRuns.
      await latency(run, PACED_BYTES_PER_S, 1);
      return endToEnd(run, LINES);
    });
    const seed = await seedStyle(viaProxy(seedUrl), producer(Math.round((SEED_MB * 2 ** 20) / LINE_BYTES)), setup.usePty);
    return { product, seed, ratio: round(product.mib_s / seed.mib_s) };
  } finally {
    await proxy.close();
  }
}

async function main(): Promise<void> {
  const rebuilt = buildHubIfStale();
  const server = await startTestPostgres({ durable: true });
  if (!server) throw new Error('No PostgreSQL: set VMO_TEST_DATABASE_URL or install Debian\'s postgresql');
  try {
    const idle = await idleHub();
    const runner = await runnerOnly();
    const limits = {
      postgres: await runnerIntoPostgres(setup, await server.createDatabase(), producer(LINES)),
      pglite: await runnerIntoPglite(setup, path.join(setup.tmp, 'pglite-limit'), producer(LINES)),
    };
    const chunks: Chunk[] = [];
    const postgres = await storeRuns(await server.createDatabase(), 'postgres', chunks, async (rows) => copyIntoPostgres(await server.createDatabase(), rows));
    const postgresRelay = await relayIntoPostgres(await server.createDatabase(), chunks);
    // Each store's runs make chunks of their own: kept from the runs on PostgreSQL, this process
    // held them through PGlite's paced and end-to-end runs, a third more CPU for it (see storeRuns).
    chunks.length = 0;
    let copies = 0;
    const pglite = await storeRuns(path.join(setup.tmp, 'pglite'), 'pglite', chunks, (rows) => copyIntoPglite(path.join(setup.tmp, `pglite-copy-${copies++}`), rows));
    chunks.length = 0;
    const rtt = await atRtt(await server.createDatabase(), await server.createDatabase());

    const sum = <R extends Record<string, number>>(rounds: R[], field: keyof R): number => rounds.reduce((n, r) => n + r[field], 0);
    const ratios = (store: typeof postgres, limit: { mib_s: number }) => ({
      end_to_end_vs_runner_only: round(sum(store.end_to_end_rounds, 'runner_ms') / sum(store.end_to_end_rounds, 'stored_ms'), 2),
      // The best the CPUs allow: every process's CPU of the end-to-end runs spread over all of them.
      end_to_end_ceiling_vs_runner_only: round(sum(store.end_to_end_rounds, 'runner_ms') / (sum(store.end_to_end_rounds, 'machine_cpu_ms') / os.availableParallelism()), 2),
      runner_beside_busy_cpu_vs_runner_only: round(sum(store.end_to_end_rounds, 'runner_ms') / sum(store.end_to_end_rounds, 'runner_beside_busy_cpu_ms'), 2),
      end_to_end_vs_runner_beside_busy_cpu: round(sum(store.end_to_end_rounds, 'runner_beside_busy_cpu_ms') / sum(store.end_to_end_rounds, 'stored_ms'), 2),
      // The job's own time: the producer's end (before the hub stored the last of it) against the runner alone.
      job_vs_runner_only: round(sum(store.end_to_end_rounds, 'runner_ms') / sum(store.end_to_end_rounds, 'fed_ms'), 2),
      limit_vs_runner_only: round(limit.mib_s / runner.mib_s, 2),
      end_to_end_vs_limit: round(store.end_to_end.mib_s / limit.mib_s, 2),
      hub_vs_copy: round(sum(store.prepared_rounds, 'copy_ms') / sum(store.prepared_rounds, 'stored_ms'), 2),
      // The same bound for the prepared run of the median round: its CPU (reporter, hub, database) spread over all CPUs.
      hub_vs_copy_ceiling: round(mib(store.prepared.bytes) / (store.prepared.cpu_ms.machine / os.availableParallelism() / 1000) / store.copy.mib_per_s, 2),
    });
    const relayed = {
      relay_vs_copy: round(postgresRelay.mib_per_s / postgres.copy.mib_per_s, 2),
      hub_vs_relay: round(postgres.prepared.mib_s / postgresRelay.mib_per_s, 2),
    };
    const byStore = { postgres: { ...ratios(postgres, limits.postgres), ...relayed }, pglite: ratios(pglite, limits.pglite) };
    const figures = {
      end_to_end_vs_runner_only: Math.min(byStore.postgres.end_to_end_vs_runner_only, byStore.pglite.end_to_end_vs_runner_only),
      hub_vs_copy: Math.min(byStore.postgres.hub_vs_copy, byStore.pglite.hub_vs_copy),
      product_vs_seed_at_1ms_rtt: rtt.ratio,
      latency_p99_ms: Math.max(postgres.latency.p99_ms, pglite.latency.p99_ms),
      hub_rss_growth_mb: Math.max(postgres.hub_rss_mb.growth, pglite.hub_rss_mb.growth),
      hub_idle_rss_mb: idle.rss_mb,
    };
    const met = {
      end_to_end_vs_runner_only: figures.end_to_end_vs_runner_only >= GOALS.end_to_end_vs_runner_only,
      hub_vs_copy: figures.hub_vs_copy >= GOALS.hub_vs_copy,
      product_vs_seed_at_1ms_rtt: figures.product_vs_seed_at_1ms_rtt >= GOALS.product_vs_seed_at_1ms_rtt,
      latency_p99_ms: figures.latency_p99_ms <= GOALS.latency_p99_ms,
      hub_rss_growth_mb: figures.hub_rss_growth_mb <= GOALS.hub_rss_growth_mb,
      hub_idle_rss_mb: figures.hub_idle_rss_mb <= GOALS.hub_idle_rss_mb,
    };
    console.log(
      JSON.stringify({
        bench: 'ingest',
        lines: LINES,
        transport: runner.transport,
        ...figures,
        goals: GOALS,
        met,
        all_met: Object.values(met).every(Boolean),
        detail: {
          postgres: { ...byStore.postgres, ...postgres, relay: postgresRelay, end_to_end_limit: limits.postgres },
          pglite: { ...byStore.pglite, ...pglite, end_to_end_limit: limits.pglite },
          // The product is never faster than the runner alone: the highest ratio it could reach.
          at_1ms_rtt: { ...rtt, ceiling_vs_seed: round(runner.mib_s / rtt.seed.mib_s) },
          runner_only: runner,
          idle_hub_pglite: idle,
          hub_rebuilt: rebuilt,
          postgres_server: server.kind,
          load_average: os.loadavg().map((v) => round(v, 2)),
        },
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
  for (const child of [...live.loops, ...[...live.hubs].map((hub) => hub.child)]) child.kill('SIGKILL');
  rmSync(setup.tmp, { recursive: true, force: true });
  process.exit(1);
}

const timer = setTimeout(() => abort(new Error(`The benchmark took longer than ${setup.timeoutMs / 1000} s`)), setup.timeoutMs);
main().then(
  () => {
    clearTimeout(timer);
    rmSync(setup.tmp, { recursive: true, force: true });
  },
  (error: unknown) => abort(error),
);
