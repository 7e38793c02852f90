// A producer writes 1,000,000 lines (~100 MB) as fast as it can, through the job runner and the
// console, into the console webview in headless Chromium: does the console slow the job, and
// how far behind is the screen? The host side is the real one: startJob (pty, 160×40, as the
// console runs targets) → InMemoryRecorder (1 MiB in memory, the rest spilled to disk) →
// ConsoleFeed (credits, 64 KB batches, one pump per frame) → the built console app, whose
// transport is bridged to this process (page.js, ?scenario=bridge): by default over HTTP on
// 127.0.0.1 through a worker in the page (bridgeHost.js), so that the messages reach the page's
// main thread as structured clones, as in VS Code; with --bridge evaluate, through
// page.evaluate / page.exposeBinding, which costs the page's main thread ~45 ms per MB itself.
//
//   npm run bench -- console [--lines 1000000] [--rounds 5] [--terminal-lines 200000] [--bridge http|evaluate]
//                             [--no-default] [--no-pipes] [--no-terminal] [--timeout-s 1500]
//                             [--page-cpu-prof <dir>] [--screenshots <dir>]   (of the page, per streamed run)
//   VMO_BENCH_NO_MINIFY=1 keeps the page's names readable in its profile.
//
// The producer is console-page/producer.mjs, run by console-page/producerRuns.ts. producer_raw_ms:
// spawned the same way with stdout to /dev/null (median of three runs); producer_runner_only_ms:
// the runner and recorder on a pty with no console (mean of the runs before and after the
// headline one); producer_streamed_ms: spawn to onExit through the console.
// streamed_vs_runner_only is what the console costs the job: the median of `--rounds` streamed
// runs, each against the runner-only runs just before and after it (all of them in
// streamed_vs_runner_only_rounds); the other figures are those of that round's run.
// streamed_floor_vs_runner_only: the lowest it could be at the CPU the stream took (producer,
// host and Chromium while the producer ran, spread evenly over all CPUs).
// streamed_vs_terminal: the same producer in VS Code's integrated terminal (code-server in the
// same Chromium, console-page/terminal.ts) against the console, both timed by the producer from its
// start to its exit, on terminal_lines lines (the terminal takes minutes for a million).
// render_lag_ms: from the producer's exit (as it recorded it) until its last line is on screen:
// in the log, or in the newest output a console far behind shows over it (console/tail);
// caught_up_ms in detail: until the log itself has read all of the output, or been told to skip
// what it would only have dropped (`skips` in detail, console/skip; none with the headline's
// maxLines, which holds every line).
// p95_frame_ms: the console's frames from the first batch until the log has read it all, each
// from when it asked for it (or from its frame before, when it asked during that one): at most
// about 16.7 ms when the page keeps up. The page draws no frames of its own to measure them
// (console-page/page.js). In detail also split at the producer's exit
// (p95_frame_while_producing_ms, _after_exit_ms).
// heap_mb: the page's JS heap after a forced GC; host_rss_mb: this process after the stream.
// search_ms: find (Ctrl+F) of a string on one line early in the output, until "1 of 1".
// The headline figures keep every line in the webview (maxLines 1,000,000), so that find
// searches all of them; `default_max_lines` repeats the run with the default of 100,000 (the
// string has been dropped from the webview then), `pipes` with pipes instead of a pty.
// cpu_while_producing_ms splits the machine's CPU time while the producer ran: on these shared
// 2-core machines `others` (processes not started here) is often half of it.
// chromium_idle_ms_per_s: Chromium with the console open before the producer starts, nothing
// coming, once Chromium has settled after its start and the page's first frames
// (idle_settle_ms); threads_while_idle_ms and renderer_while_idle say where it goes.
// streamed_vs_runner_beside_idle_page (in detail): the streamed run against the runner alone
// while that page idles, i.e. the console's own cost beyond a browser open beside the job.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { routeToBridge, type Via } from './console-page/bridges';
import { buildConsoleApp, launchChromium } from './console-page/measure';
import { serveConsolePage } from '../test/harness/consolePage';
import { ProducerRuns, type Live, type Producer } from './console-page/producerRuns';
import { mb, round, runStreamed as streamedRun, type StreamResult } from './console-page/streamedRun';
import { runInTerminal } from './console-page/terminal';
import { machine } from './machine';
import { arg, median, medianBy } from './_cli';

const LINES = Number(arg('lines', '1000000'));
/** Streamed runs, each between two runs of the runner alone. */
const ROUNDS = Math.max(1, Number(arg('rounds', '5')));
const TIMEOUT_MS = Number(arg('timeout-s', '1500')) * 1000;
/** The integrated terminal is slow: by default it runs a smaller producer, and so does the console for the ratio. */
const TERMINAL_LINES = Math.min(LINES, Number(arg('terminal-lines', '200000')));
const NEEDLE = 'NEEDLE-7f3a';
const VIA: Via = arg('bridge', 'http') === 'evaluate' ? 'evaluate' : 'http';
/** Where to write a CPU profile of the page (its main thread) for each streamed run, if anywhere. */
const PAGE_CPU_PROF = arg('page-cpu-prof', '');
/** Where to write a screenshot of the page as the producer exits, for each streamed run, if anywhere. */
const SCREENSHOTS = arg('screenshots', '');
const BRIDGES: Record<Via, string> = {
  http:
    'http: a worker in the page (bridgeHost.js) reads host messages from a streamed HTTP response on 127.0.0.1 (JSON lines) and posts them to the page; ' +
    'the page posts its messages to the worker, which POSTs them to the host in order',
  evaluate: 'evaluate: host→webview page.evaluate(consoleBridge.deliver(json)), one in flight, batching everything posted meanwhile; webview→host page.exposeBinding',
};
/** How long Chromium's idle CPU is measured before each streamed run. */
const IDLE_MS = 2000;
const GOALS = { streamed_vs_runner_only: 1.15, streamed_vs_terminal: 0.25, render_lag_ms: 1000, p95_frame_ms: 32, heap_mb: 300, search_ms: 300 };

const tmp = mkdtempSync(path.join(os.tmpdir(), 'vmo-bench-console-'));
/** What must be stopped if the benchmark ends early. */
const live: Live = { children: new Set(), jobs: new Set(), browser: undefined };
const runs = new ProducerRuns(tmp, NEEDLE, live);
const FULL = runs.producer(LINES);
const STREAMED = { runs, tmp, needle: NEEDLE, idleMs: IDLE_MS, pageCpuProf: PAGE_CPU_PROF, screenshots: SCREENSHOTS };

/** One streamed run (console-page/streamedRun.ts), of the full producer unless `run` says otherwise. */
function runStreamed(browser: Browser, pageUrl: string, via: Via, usePty: boolean, maxLines: number, run: Producer = FULL): Promise<StreamResult> {
  return streamedRun(STREAMED, browser, pageUrl, via, usePty, maxLines, run);
}

function log(text: string): void {
  console.log(text);
}

function summary(name: string, r: StreamResult, runnerOnlyMs: number): void {
  log(
    `${name}: ${(r.bytes / 2 ** 20).toFixed(0)} MB in ${r.chunks} chunks; producer ${r.producer_streamed_ms} ms (runner only ${Math.round(runnerOnlyMs)} ms, ` +
      `× ${round(r.producer_streamed_ms / runnerOnlyMs, 2)}); consumed ${r.consumed_at_exit_pct}% at exit; lag ${r.render_lag_ms} ms ` +
      `(exit → last post ${r.exit_to_last_post_ms}, → visible ${r.last_post_to_visible_ms}); page ${r.page_mb_per_s} MB/s; ` +
      `frames p50 ${r.p50_frame_ms} / p95 ${r.p95_frame_ms} / max ${r.max_frame_ms} ms; heap ${r.heap_mb} MB (peak ${r.heap_peak_mb}); ` +
      `host rss ${r.host_rss_mb} MB, spilled ${r.spilled_mb} MB; find ${r.search_ms} ms (${r.search_status}); ` +
      `host elu ${r.host_elu}, cpu while producing ${JSON.stringify(r.cpu_while_producing_ms)}; ` +
      `bridge ${JSON.stringify(r.bridge)}; renderer ${JSON.stringify(r.renderer)}`,
  );
}

/** The same producer in VS Code's integrated terminal and in the console, each timed by the producer itself. */
async function versusTerminal(browser: Browser, pageUrl: string, main: StreamResult): Promise<{ terminal_ms: number; console_ms: number; terminal_lines: number; settings: Record<string, unknown> }> {
  const run = TERMINAL_LINES === LINES ? FULL : runs.producer(TERMINAL_LINES);
  const terminal = await runInTerminal(browser, run.argv, runs.exitFile, TIMEOUT_MS);
  log(`integrated terminal, ${run.lines} lines: ${terminal.ms} ms`);
  const consoleMs = run === FULL ? main.producer_lifetime_ms : (await runStreamed(browser, pageUrl, VIA, true, 1_000_000, run)).producer_lifetime_ms;
  return { terminal_ms: terminal.ms, console_ms: consoleMs, terminal_lines: run.lines, settings: terminal.settings };
}

async function main(): Promise<void> {
  const hostRssBefore = process.memoryUsage().rss;
  const appDir = path.join(tmp, 'app');
  await buildConsoleApp(appDir);
  const server = await serveConsolePage(appDir, routeToBridge);
  const browser = await launchChromium();
  live.browser = browser;
  try {
    const raws: number[] = [await runs.raw(FULL)];
    const runnerOnly = [await runs.runnerOnly(FULL, true)];
    log(`raw ${Math.round(raws[0]!)} ms; runner only (pty, no console) ${Math.round(runnerOnly[0]!.ms)} ms, cpu ${JSON.stringify(runnerOnly[0]!.cpu)}`);

    // Rounds of a streamed run between two runs of the runner alone; the headline is the round of
    // the median ratio. One round swings by a fifth with the machine's other load.
    const rounds: { streamed: StreamResult; runnerOnlyMs: number; ratio: number }[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const streamed = await runStreamed(browser, server.url, VIA, true, 1_000_000);
      runnerOnly.push(await runs.runnerOnly(FULL, true));
      const baseline = (runnerOnly[i]!.ms + runnerOnly[i + 1]!.ms) / 2;
      rounds.push({ streamed, runnerOnlyMs: baseline, ratio: streamed.producer_streamed_ms / baseline });
      summary(`pty, maxLines 1,000,000, round ${i + 1}`, streamed, baseline);
    }
    raws.push(await runs.raw(FULL));
    const { streamed: main, runnerOnlyMs } = medianBy(rounds, (r) => r.ratio);

    let defaults: StreamResult | undefined;
    if (!process.argv.includes('--no-default')) {
      defaults = await runStreamed(browser, server.url, VIA, true, 100_000);
      summary('pty, maxLines 100,000', defaults, runnerOnlyMs);
    }
    let pipes: StreamResult | undefined;
    let pipesRunnerOnly: Awaited<ReturnType<ProducerRuns['runnerOnly']>> | undefined;
    if (!process.argv.includes('--no-pipes')) {
      pipesRunnerOnly = await runs.runnerOnly(FULL, false);
      pipes = await runStreamed(browser, server.url, VIA, false, 1_000_000);
      summary('pipes, maxLines 1,000,000', pipes, pipesRunnerOnly.ms);
    }
    const terminal = process.argv.includes('--no-terminal') ? undefined : await versusTerminal(browser, server.url, main);
    raws.push(await runs.raw(FULL));
    const rawMs = median(raws);

    const streamedVsRunnerOnly = round(main.producer_streamed_ms / runnerOnlyMs, 2);
    const streamedVsTerminal = terminal ? round(terminal.console_ms / terminal.terminal_ms, 2) : null;
    const met = {
      streamed_vs_runner_only: streamedVsRunnerOnly <= GOALS.streamed_vs_runner_only,
      streamed_vs_terminal: streamedVsTerminal !== null && streamedVsTerminal <= GOALS.streamed_vs_terminal,
      render_lag_ms: main.render_lag_ms <= GOALS.render_lag_ms,
      p95_frame_ms: main.p95_frame_ms <= GOALS.p95_frame_ms,
      heap_mb: main.heap_mb <= GOALS.heap_mb,
      search_ms: main.search_ms <= GOALS.search_ms && main.search_status.includes('1 of 1'),
    };
    const cpu = main.cpu_while_producing_ms;
    const brief = (r: StreamResult, baselineMs: number) => ({ ...r, streamed_vs_runner_only: round(r.producer_streamed_ms / baselineMs, 2) });
    const result = {
      bench: 'console',
      lines: LINES,
      bytes: main.bytes,
      needle_line: FULL.needleAt,
      transport: main.transport,
      max_lines: main.max_lines,
      bridge: BRIDGES[VIA],
      producer_raw_ms: Math.round(rawMs),
      producer_raw_runs_ms: raws.map((v) => Math.round(v)),
      producer_raw_cpu_ms: Math.round(median(runs.rawCpuMs)),
      producer_runner_only_ms: Math.round(runnerOnlyMs),
      producer_runner_only_runs_ms: runnerOnly.map((r) => Math.round(r.ms)),
      runner_only_cpu_ms: runnerOnly[0]!.cpu,
      producer_streamed_ms: main.producer_streamed_ms,
      runner_only_vs_raw: round(runnerOnlyMs / rawMs, 2),
      streamed_vs_runner_only: streamedVsRunnerOnly,
      streamed_vs_runner_only_rounds: rounds.map((r) => round(r.ratio, 2)),
      streamed_floor_vs_runner_only: round((cpu.producer! + cpu.host! + cpu.chromium!) / os.availableParallelism() / runnerOnlyMs, 2),
      streamed_vs_terminal: streamedVsTerminal,
      terminal_ms: terminal?.terminal_ms ?? null,
      // Both sides of streamed_vs_terminal: the producer's own start to exit, on terminal_lines lines.
      terminal_lines: terminal?.terminal_lines ?? null,
      terminal_console_ms: terminal?.console_ms ?? null,
      terminal_settings: terminal?.settings ?? null,
      render_lag_ms: main.render_lag_ms,
      p95_frame_ms: main.p95_frame_ms,
      heap_mb: main.heap_mb,
      host_rss_mb: main.host_rss_mb,
      host_rss_before_mb: mb(hostRssBefore),
      search_ms: main.search_ms,
      search_status: main.search_status,
      busy_elsewhere_pct: Math.round((main.cpu_while_producing_ms.others! / main.cpu_while_producing_ms.available!) * 100),
      goals: GOALS,
      met,
      all_met: Object.values(met).every(Boolean),
      detail: main,
      ...(defaults ? { default_max_lines: brief(defaults, runnerOnlyMs) } : {}),
      ...(pipes ? { pipes: { ...brief(pipes, pipesRunnerOnly!.ms), producer_runner_only_ms: Math.round(pipesRunnerOnly!.ms), runner_only_cpu_ms: pipesRunnerOnly!.cpu } } : {}),
      chromium: browser.version(),
      machine: machine(),
    };
    console.log(JSON.stringify(result));
  } finally {
    await browser.close();
    live.browser = undefined;
    await server.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

// Nothing outlives the benchmark: on timeout or error the producer and Chromium are stopped.
let aborting = false;
function abort(reason: unknown): void {
  console.error(reason);
  if (aborting) return;
  aborting = true;
  for (const child of live.children) child.kill('SIGKILL');
  for (const job of live.jobs) job.cancel();
  const closing = live.browser?.close().catch(() => undefined) ?? Promise.resolve();
  void closing.finally(() => {
    rmSync(tmp, { recursive: true, force: true });
    process.exit(1);
  });
  setTimeout(() => process.exit(1), 10_000).unref();
}

const timer = setTimeout(() => abort(new Error(`The benchmark took longer than ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
main().then(
  () => clearTimeout(timer),
  (error: unknown) => abort(error),
);
