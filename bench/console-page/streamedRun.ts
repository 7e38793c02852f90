// One streamed run of the console bench (bench/console.ts): the producer through startJob → the
// recorder → ConsoleFeed → the console page in Chromium, with what it costs and how the page
// keeps up.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { Browser, Page } from 'playwright-core';
import { ConsoleFeed } from '../../src/core/jobs/consoleFeed';
import { InMemoryRecorder } from '../../src/core/jobs/inMemoryRecorder';
import type { JobInfo } from '../../src/shared/jobs';
import { isConsoleToHostMessage, type HostToConsoleMessage } from '../../src/shared/protocol';
import { evaluateBridge, httpBridge, type Via } from './bridges';
import { busiestThreads, cpuSnapshot } from './cpuTimes';
import { percentile } from '../_cli';
import { sampleHeapPeak } from './measure';
import type { Producer, ProducerRuns } from './producerRuns';

/** What every streamed run of one bench shares. */
export interface StreamedRunOptions {
  runs: ProducerRuns;
  /** The bench's temporary folder: the recorder spills there. */
  tmp: string;
  /** The string find looks for (on one line early in the output). */
  needle: string;
  /** How long Chromium's idle CPU is measured before the producer starts. */
  idleMs: number;
  /** Where to write a CPU profile of the page's main thread, if anywhere. */
  pageCpuProf: string;
  /** Where to write a screenshot of the page as the producer exits, if anywhere. */
  screenshots: string;
}

// A garbage collection on demand, to tell what the host keeps from what it has not collected yet.
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

export const round = (v: number, digits = 1): number => Math.round(v * 10 ** digits) / 10 ** digits;
export const mb = (bytes: number): number => round(bytes / 2 ** 20);

/** The p95 of the frames that began while the producer ran, and of those after it exited. */
function framesByPhase(bench: PageBench, exitAt: number): { p95_frame_while_producing_ms: number; p95_frame_after_exit_ms: number } {
  const sorted = (keep: (at: number) => boolean) => bench.frames.filter((_, i) => keep(bench.frameStarts[i]!)).sort((a, b) => a - b);
  return {
    p95_frame_while_producing_ms: round(percentile(sorted((at) => at < exitAt), 95)),
    p95_frame_after_exit_ms: round(percentile(sorted((at) => at >= exitAt), 95)),
  };
}

interface PageBench {
  frames: number[];
  frameStarts: number[];
  firstSentAt: number;
  lastVisibleAt: number;
  posted: Record<string, number>;
  delivered: number;
  deliverMs: number;
  violations: string[];
  events: Array<{ type: string; message?: string }>;
}

export interface StreamResult {
  transport: string;
  max_lines: number;
  bytes: number;
  chunks: number;
  producer_streamed_ms: number;
  /** From the producer's start to its exit, as it recorded them: the measure of the terminal's side. */
  producer_lifetime_ms: number;
  /** From the producer's exit, as it recorded it, until its last line is on screen. */
  render_lag_ms: number;
  /** The same from the runner's onExit, which comes once the output has been read (pty: up to 200 ms later). */
  render_lag_from_on_exit_ms: number;
  /** From the producer's exit until the log has read all of the output (find and heap wait for it). */
  caught_up_ms: number;
  p50_frame_ms: number;
  p95_frame_ms: number;
  p99_frame_ms: number;
  /** p95 of the frames while the producer ran, and after it exited (the log catching up): where the slow frames are. */
  p95_frame_while_producing_ms: number;
  p95_frame_after_exit_ms: number;
  max_frame_ms: number;
  frames: number;
  heap_mb: number;
  heap_peak_mb: number;
  host_rss_mb: number;
  host_heap_mb: number;
  /** With the recorder still holding the job: its memory budget, the spill file's index, and this benchmark's own. */
  host_heap_after_gc_mb: number;
  spilled_mb: number;
  search_ms: number;
  search_status: string;
  /** How much of the output the webview had consumed (credits) when the producer exited. */
  consumed_at_exit_pct: number;
  /** How often the host left out output the console would have dropped (`console/skip`). */
  skips: number;
  /** From the producer's exit until the host posted the last batch (reading the pty, waiting for credits). */
  exit_to_last_post_ms: number;
  /** From the last batch posted until the last line on screen. */
  last_post_to_visible_ms: number;
  /** Throughput of the webview: MB of the job's output per second from the first batch until the console has caught up (read it, or been told to skip it). */
  page_mb_per_s: number;
  /** This process's event-loop utilisation while the producer ran (pty reads, chunker, recorder, feed, bridge). */
  host_elu: number;
  /** CPU time while the producer ran: the producer, this process, Chromium (all its processes), everything else on the machine. */
  cpu_while_producing_ms: Record<string, number>;
  /** The same for the busiest threads of Chromium and of this process. */
  threads_while_producing_ms: Record<string, number>;
  /** Chromium's CPU time per second with the console open and idle, just before the producer started. */
  idle_settle_ms: number;
  chromium_idle_ms_per_s: number;
  threads_while_idle_ms: Record<string, number>;
  renderer_while_idle: Record<string, number>;
  /** The producer through the runner alone (no console feed) while the page idled, just before the streamed run. */
  producer_runner_beside_idle_page_ms: number;
  /** producer_streamed_ms against that: the console's cost beyond a browser open beside the job. */
  streamed_vs_runner_beside_idle_page: number;
  bridge: { via: Via; writes: number; messages: number; max_batch_kb: number; page_deliver_ms: number; host_wait_ms?: number };
  /** CDP Performance.getMetrics deltas over the stream, ms of the renderer's main thread. */
  renderer: Record<string, number>;
  posted: Record<string, number>;
  csp_violations: string[];
}

/** Streams the producer through startJob → recorder → ConsoleFeed → the page, and measures it. */
export async function runStreamed(options: StreamedRunOptions, browser: Browser, pageUrl: string, via: Via, usePty: boolean, maxLines: number, run: Producer): Promise<StreamResult> {
  const { runs, tmp, needle, idleMs, pageCpuProf, screenshots } = options;
  const spillDir = path.join(tmp, `spill-${randomUUID()}`);
  const recorder = new InMemoryRecorder({ spillDir });
  const job = runs.jobInfo(run);
  recorder.started(job);
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const cdp = await page.context().newCDPSession(page);

  let consumed = 0;
  let resolveReady!: () => void;
  const ready = new Promise<void>((resolve) => (resolveReady = resolve));
  // webview → host, checked by the host's guard as ConsolePanel does (only after goto, when `feed` exists).
  const receive = (raw: unknown): void => {
    if (!isConsoleToHostMessage(raw)) return;
    if (raw.type === 'console/resize' || (raw.type !== 'ready' && raw.jobId !== job.id)) return;
    if (raw.type === 'ready') {
      feed.ready(raw.creditWindow);
      resolveReady();
    } else if (raw.type === 'console/credit') {
      consumed = raw.consumed;
      feed.credit(raw.consumed);
    } else if (raw.type === 'console/paused') {
      feed.pausedView(raw.paused);
    } else if (raw.type === 'console/fetch-older') {
      feed.older(raw.beforeSeq, raw.maxChars);
    }
  };
  const bridge = via === 'http' ? httpBridge(receive) : await evaluateBridge(page, receive);
  let skips = 0;
  const post = (message: HostToConsoleMessage): void => {
    if (message.type === 'console/skip') skips++;
    bridge.post(message);
  };
  const feed = new ConsoleFeed(recorder, post, job.id, { maxLines: () => maxLines });
  const onChunks = (jobId: string): void => feed.chunksAdded(jobId);
  const onJob = (info: JobInfo): void => feed.jobChanged(info);
  recorder.on('chunks', onChunks);
  recorder.on('job', onJob);

  try {
    await cdp.send('Performance.enable');
    const query = new URLSearchParams({ scenario: 'bridge', via, marker: run.marker });
    await page.goto(`${pageUrl}?${query}`);
    await Promise.race([ready, new Promise((_, reject) => setTimeout(() => reject(new Error('The console did not say ready')), 30_000))]);
    // Let Chromium settle after its start and the page's first frames, then measure what it takes
    // with the console open and nothing coming (the baseline the stream adds to), then start the
    // producer.
    const settleMs = await settleChromium(page);
    const [idleBefore, idleMetricsBefore] = [cpuSnapshot(), await rendererMetrics(cdp)];
    await page.waitForTimeout(idleMs);
    const [idleAfter, idleMetricsAfter] = [cpuSnapshot(), await rendererMetrics(cdp)];
    // The same producer through the runner alone while this page idles: what the console adds
    // beyond an open browser.
    const besidePage = await runs.runnerOnly(run, usePty);
    const metricsBefore = await rendererMetrics(cdp);
    const heapPeak = sampleHeapPeak(cdp, 500);

    if (pageCpuProf) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
    }
    const elu = performance.eventLoopUtilization();
    const cpuBefore = cpuSnapshot();
    const produced = await runs.throughRunner(recorder, job, usePty);
    const hostElu = performance.eventLoopUtilization(elu).utilization;
    const cpuAfter = cpuSnapshot();
    const consumedAtExit = consumed;
    let caughtUpAt = 0;
    if (screenshots) await page.screenshot({ path: path.resolve(screenshots, `exit-${usePty ? 'pty' : 'pipes'}-${maxLines}.png`) });
    try {
      await page.waitForFunction(() => (globalThis as unknown as { consoleBench: { lastVisibleAt: number } }).consoleBench.lastVisibleAt > 0, undefined, {
        timeout: 600_000,
        polling: 100,
      });
      // Heap and find are measured on the whole log: a console that showed the newest output
      // first may still be reading the rest.
      for (const deadline = Date.now() + 600_000; !feed.caughtUp; await new Promise((resolve) => setTimeout(resolve, 20))) {
        if (Date.now() > deadline) throw new Error(`The console read ${consumed} characters and did not catch up`);
      }
      caughtUpAt = performance.timeOrigin + performance.now();
      await page.evaluate('window.consoleBench.caughtUp = true');
    } finally {
      await heapPeak.stop();
    }
    if (bridge.stats.error) throw bridge.stats.error;
    if (pageCpuProf) {
      const { profile } = (await cdp.send('Profiler.stop')) as { profile: unknown };
      mkdirSync(pageCpuProf, { recursive: true });
      writeFileSync(path.resolve(pageCpuProf, `page-${usePty ? 'pty' : 'pipes'}-${maxLines}.cpuprofile`), JSON.stringify(profile));
    }
    const metricsAfter = await rendererMetrics(cdp);
    const hostRss = process.memoryUsage().rss;
    const hostHeap = process.memoryUsage().heapUsed;
    collectGarbage();
    const hostHeapAfterGc = process.memoryUsage().heapUsed;
    const spilled = readdirSync(spillDir).reduce((n, f) => n + statSync(path.join(spillDir, f)).size, 0);
    const bench = (await page.evaluate(
      '(() => { const b = window.consoleBench; return { frames: [...b.frames], frameStarts: [...b.frameStarts], firstSentAt: b.firstSentAt, lastVisibleAt: b.lastVisibleAt, posted: b.posted, delivered: b.delivered, deliverMs: b.deliverMs, violations: b.violations, events: b.events }; })()',
    )) as PageBench;
    const bridgeErrors = bench.events.filter((e) => e.type === 'bridge-error');
    if (bridgeErrors.length > 0) throw new Error(`The bridge failed in the page: ${bridgeErrors[0]!.message}`);
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };

    await page.keyboard.press('Control+f');
    await page.waitForSelector('vscode-textfield');
    const search = (await page.evaluate(`window.consoleBench.find(${JSON.stringify(needle)})`)) as { ms: number; status: string };

    const frames = bench.frames.slice().sort((a, b) => a - b);
    const streamSeconds = (caughtUpAt - bench.firstSentAt) / 1000;
    const last = bridge.stats.lastAppendPostedAt;
    return {
      transport: produced.transport,
      max_lines: maxLines,
      bytes: produced.bytes,
      chunks: produced.chunks,
      producer_streamed_ms: Math.round(produced.ms),
      producer_lifetime_ms: Math.round(produced.lifetimeMs),
      render_lag_ms: Math.round(bench.lastVisibleAt - produced.exitAt),
      render_lag_from_on_exit_ms: Math.round(bench.lastVisibleAt - produced.onExitAt),
      caught_up_ms: Math.round(caughtUpAt - produced.exitAt),
      p50_frame_ms: round(percentile(frames, 50)),
      p95_frame_ms: round(percentile(frames, 95)),
      p99_frame_ms: round(percentile(frames, 99)),
      ...framesByPhase(bench, produced.exitAt),
      max_frame_ms: round(frames[frames.length - 1] ?? 0),
      frames: frames.length,
      heap_mb: mb(heap.usedSize),
      heap_peak_mb: mb(heapPeak.peak),
      host_rss_mb: mb(hostRss),
      host_heap_mb: mb(hostHeap),
      host_heap_after_gc_mb: mb(hostHeapAfterGc),
      spilled_mb: mb(spilled),
      search_ms: Math.round(search.ms),
      search_status: search.status,
      consumed_at_exit_pct: Math.round((consumedAtExit / Math.max(1, produced.bytes)) * 100),
      skips,
      exit_to_last_post_ms: Math.round(last - produced.exitAt),
      last_post_to_visible_ms: Math.round(bench.lastVisibleAt - last),
      page_mb_per_s: round(produced.bytes / 2 ** 20 / streamSeconds),
      host_elu: round(hostElu, 2),
      cpu_while_producing_ms: {
        wall: Math.round(produced.ms),
        producer: Math.round(produced.cpuMs),
        host: cpuAfter.host - cpuBefore.host,
        chromium: cpuAfter.chromium - cpuBefore.chromium,
        others: cpuAfter.machine - cpuBefore.machine - (cpuAfter.host - cpuBefore.host) - (cpuAfter.chromium - cpuBefore.chromium) - Math.round(produced.cpuMs),
        available: Math.round(produced.ms * os.cpus().length),
      },
      threads_while_producing_ms: busiestThreads(cpuBefore.threads, cpuAfter.threads),
      idle_settle_ms: settleMs,
      chromium_idle_ms_per_s: Math.round(((idleAfter.chromium - idleBefore.chromium) * 1000) / idleMs),
      threads_while_idle_ms: busiestThreads(idleBefore.threads, idleAfter.threads),
      renderer_while_idle: rendererSpent(idleMetricsBefore, idleMetricsAfter),
      producer_runner_beside_idle_page_ms: Math.round(besidePage.ms),
      streamed_vs_runner_beside_idle_page: round(produced.ms / besidePage.ms, 2),
      bridge: {
        via,
        writes: bridge.stats.writes,
        messages: bridge.stats.messages,
        max_batch_kb: Math.round(bridge.stats.maxBatchChars / 1024),
        page_deliver_ms: Math.round(bench.deliverMs),
        ...(via === 'evaluate' ? { host_wait_ms: Math.round(bridge.stats.hostWaitMs) } : {}),
      },
      renderer: rendererSpent(metricsBefore, metricsAfter),
      posted: bench.posted,
      csp_violations: bench.violations,
    };
  } finally {
    feed.dispose();
    recorder.off('chunks', onChunks);
    recorder.off('job', onJob);
    bridge.close();
    await page.close().catch(() => undefined);
    recorder.dispose();
  }
}

async function rendererMetrics(cdp: { send(method: 'Performance.getMetrics'): Promise<{ metrics: Array<{ name: string; value: number }> }> }): Promise<Record<string, number>> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
}

/** The page's main-thread time (ms) between two `rendererMetrics`: tasks, script, layout, style. */
function rendererSpent(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const spent: Record<string, number> = {};
  for (const key of ['TaskDuration', 'ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration']) {
    spent[key.replace('Duration', '_ms').toLowerCase()] = Math.round(((after[key] ?? 0) - (before[key] ?? 0)) * 1000);
  }
  return spent;
}

/**
 * Waits until Chromium takes under a tenth of a CPU for a quarter of a second, at most 10 s, and
 * returns how long that took. A Chromium just started, or just given a page, keeps its main
 * thread and thread pool busy for a second or two (655 ms/s measured for the first 2 s on an
 * empty page here, then 0–10), which the idle figure measured right after the page was ready held.
 */
async function settleChromium(page: Page): Promise<number> {
  const start = performance.now();
  for (let before = cpuSnapshot(); performance.now() - start < 10_000; ) {
    await page.waitForTimeout(250);
    const now = cpuSnapshot();
    if (now.chromium - before.chromium <= 25) break;
    before = now;
  }
  return Math.round(performance.now() - start);
}
