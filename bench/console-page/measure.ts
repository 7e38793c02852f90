// Drives the console dev page in headless Chromium (served by test/harness/consolePage.ts):
// takes screenshots, and measures a flood of output streamed through the fake host with
// credit-based flow control (frame times, latency of the last line, heap, find).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import sveltePlugin from 'esbuild-svelte';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import { CHROMIUM_ARGS as HARNESS_CHROMIUM_ARGS, CHROMIUM_PATH } from '../../test/harness/browser';
import { percentile } from '../_cli';

const REPO = path.join(__dirname, '../..');

/** The flags the tests run Chromium with, and exact heap figures for the measurements. */
export const CHROMIUM_ARGS = [...HARNESS_CHROMIUM_ARGS, '--enable-precise-memory-info'];

export function launchChromium(executablePath = CHROMIUM_PATH): Promise<Browser> {
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
}

/** Builds the console app as `node esbuild.mjs --production` would, into `outDir` (console.js, console.css). */
export async function buildConsoleApp(outDir: string): Promise<void> {
  await esbuild.build({
    entryPoints: { console: path.join(REPO, 'webview/console/main.ts') },
    outdir: outDir,
    bundle: true,
    minify: !process.env.VMO_BENCH_NO_MINIFY,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    mainFields: ['svelte', 'browser', 'module', 'main'],
    conditions: ['svelte', 'browser'],
    plugins: [sveltePlugin({ compilerOptions: { css: 'external', dev: false } })],
    logLevel: 'warning',
  });
}

export interface FloodOptions {
  lines: number;
  maxLines: number;
  needle?: string;
  timeoutMs?: number;
}

export interface FloodResult {
  lines: number;
  maxLines: number;
  /** Characters of output sent (about bytes: the lines are ASCII). */
  chars: number;
  /** From the first chunk sent to the last line on screen. */
  streamMs: number;
  linesPerSecond: number;
  frames: number;
  frameP50Ms: number;
  frameP95Ms: number;
  frameP99Ms: number;
  frameMaxMs: number;
  /** From the host posting the last chunk to the last line on screen. */
  lastChunkToVisibleMs: number;
  /** The page's JS heap (Runtime.getHeapUsage), sampled every 250 ms while streaming. */
  heapPeakMb: number;
  /** Runtime.getHeapUsage after a forced garbage collection, with all lines held. */
  heapAfterGcMb: number;
  /** Time from typing the rare string into find to "1 of 1" on screen. */
  findRareMs: number;
  findRareStatus: string;
  /** The same for a string on every line. */
  findCommonMs: number;
  findCommonStatus: string;
  /** Messages the app posted, by type (credits show the flow control at work). */
  posted: Record<string, number>;
  cspViolations: string[];
}

const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;

/**
 * What page.js puts on the page's global object. Predicates are functions (a string predicate
 * would need 'unsafe-eval', which the page's CSP forbids); page code otherwise goes as strings,
 * since this file is compiled for Node, without DOM types.
 */
interface PageGlobals {
  consoleBench: { lastVisibleAt: number; demoDone: boolean };
}

interface BenchState {
  frames: number[];
  heapPeak: number;
  firstSentAt: number;
  lastSentAt: number;
  lastVisibleAt: number;
  violations: string[];
  posted: Record<string, number>;
  events: Array<{ type: string; chars?: number }>;
}

/** The page's JS heap (its main thread), sampled every `everyMs` until `stop()`: the peak in bytes. */
export function sampleHeapPeak(cdp: CDPSession, everyMs: number): { readonly peak: number; stop(): Promise<void> } {
  let peak = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const usage = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
      peak = Math.max(peak, usage.usedSize);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    get peak() {
      return peak;
    },
    stop: async () => {
      sampling = false;
      await sampler;
    },
  };
}

/** Streams `lines` lines of about 100 bytes through the page and measures it. */
export async function measureFlood(browser: Browser, pageUrl: string, options: FloodOptions): Promise<FloodResult> {
  const needle = options.needle ?? 'NEEDLE-7f3a';
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    const query = new URLSearchParams({ scenario: 'flood', lines: String(options.lines), maxLines: String(options.maxLines), needle });
    const cdp = await page.context().newCDPSession(page);
    await page.goto(`${pageUrl}?${query}`);
    // The heap of the page's main thread (the app; the fake host is a worker with its own heap).
    const heapPeak = sampleHeapPeak(cdp, 250);
    try {
      await page.waitForFunction(() => (globalThis as unknown as PageGlobals).consoleBench.lastVisibleAt > 0, undefined, {
        timeout: options.timeoutMs ?? 600_000,
        polling: 500,
      });
    } finally {
      await heapPeak.stop();
    }
    const bench = (await page.evaluate(
      '(() => { const b = window.consoleBench; return { ...b, find: undefined, frames: [...b.frames], events: [...b.events] }; })()',
    )) as BenchState;
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };

    await page.keyboard.press('Control+f');
    await page.waitForSelector('vscode-textfield');
    const rare = await find(page, needle);
    const common = await find(page, 'worker-3');

    const frames = bench.frames.slice().sort((a, b) => a - b);
    const chars = bench.events.find((e) => e.type === 'sent-last')?.chars ?? 0;
    const streamMs = bench.lastVisibleAt - bench.firstSentAt;
    return {
      lines: options.lines,
      maxLines: options.maxLines,
      chars,
      streamMs: Math.round(streamMs),
      linesPerSecond: Math.round(options.lines / (streamMs / 1000)),
      frames: frames.length,
      frameP50Ms: round(percentile(frames, 50)),
      frameP95Ms: round(percentile(frames, 95)),
      frameP99Ms: round(percentile(frames, 99)),
      frameMaxMs: round(frames[frames.length - 1] ?? 0),
      lastChunkToVisibleMs: Math.round(bench.lastVisibleAt - bench.lastSentAt),
      heapPeakMb: round(heapPeak.peak / 2 ** 20),
      heapAfterGcMb: round(heap.usedSize / 2 ** 20),
      findRareMs: Math.round(rare.ms),
      findRareStatus: rare.status,
      findCommonMs: Math.round(common.ms),
      findCommonStatus: common.status,
      posted: bench.posted,
      cspViolations: bench.violations,
    };
  } finally {
    await page.close();
  }
}

async function openDemo(browser: Browser, pageUrl: string, theme: string, status: string, width = 1100, height = 640): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height } });
  await page.goto(`${pageUrl}?${new URLSearchParams({ scenario: 'demo', theme, status })}`);
  await page.waitForFunction(() => (globalThis as unknown as PageGlobals).consoleBench.demoDone);
  // Time for the last chunk to be parsed and drawn, and the fonts to settle.
  await page.evaluate('document.fonts.ready.then(() => true)');
  await page.waitForTimeout(300);
  return page;
}

async function violations(page: Page): Promise<string[]> {
  return (await page.evaluate('window.consoleBench.violations')) as string[];
}

/** Types `query` into the open find bar (see page.js) and waits for the final count. */
async function find(page: Page, query: string): Promise<{ ms: number; status: string }> {
  return (await page.evaluate(`window.consoleBench.find(${JSON.stringify(query)})`)) as { ms: number; status: string };
}

/** Screenshots of the demo output in several states; returns the files written and any CSP violations. */
export async function takeScreenshots(browser: Browser, pageUrl: string, outDir: string): Promise<{ files: string[]; cspViolations: string[] }> {
  mkdirSync(outDir, { recursive: true });
  const files: string[] = [];
  const seen: string[] = [];
  const shot = async (page: Page, name: string) => {
    const file = path.join(outDir, `${name}.png`);
    await page.screenshot({ path: file });
    files.push(file);
    seen.push(...(await violations(page)));
    await page.close();
  };

  await shot(await openDemo(browser, pageUrl, 'dark', 'running'), 'console-dark-running');
  await shot(await openDemo(browser, pageUrl, 'light', 'failed'), 'console-light-failed');
  await shot(await openDemo(browser, pageUrl, 'hc', 'success'), 'console-high-contrast');

  const findPage = await openDemo(browser, pageUrl, 'dark', 'failed');
  await findPage.keyboard.press('Control+f');
  await findPage.waitForSelector('vscode-textfield');
  await find(findPage, 'src');
  await findPage.keyboard.press('Enter');
  await findPage.waitForTimeout(200);
  await shot(findPage, 'console-find');

  const toggles = await openDemo(browser, pageUrl, 'light', 'failed', 620, 640);
  await toggles.click('vscode-toolbar-button[title="Wrap long lines"]');
  await toggles.click('vscode-toolbar-button[title="Show the time of each line"]');
  await toggles.waitForTimeout(200);
  await shot(toggles, 'console-wrap-timestamps');

  const filtered = await openDemo(browser, pageUrl, 'dark', 'failed');
  await filtered.click('vscode-toolbar-button[title="Show standard output"]');
  await filtered.waitForTimeout(200);
  await shot(filtered, 'console-stderr-only');

  return { files, cspViolations: [...new Set(seen)] };
}

/** What the restore check compares. */
const READ_VIEW = `(() => {
  const field = document.querySelector('vscode-textfield');
  const toggle = (title) => document.querySelector('vscode-toolbar-button[title^="' + title + '"]')?.checked ?? false;
  const log = document.querySelector('[role="log"]').getBoundingClientRect();
  const top = [...document.querySelectorAll('.rows > div')].find((r) => r.getBoundingClientRect().bottom > log.top + 2);
  return { wrap: toggle('Wrap long lines'), findOpen: field !== null, findText: field?.value ?? '', follow: toggle('Follow'), topLine: top?.textContent ?? '' };
})()`;

export interface RestoreCheck {
  ok: boolean;
  /** What was restored, as read back from the page. */
  after: { wrap: boolean; findOpen: boolean; findText: string; follow: boolean; topLine: string };
  before: { topLine: string };
  screenshot: string;
}

/**
 * Hides and shows a tab the way VS Code does without retainContextWhenHidden: the page is
 * reloaded (state kept by the transport's setState, like vscode.setState), the app sends
 * `ready` with the job it showed, and the host sends the output again.
 */
export async function checkRestore(browser: Browser, pageUrl: string, outDir: string): Promise<RestoreCheck> {
  mkdirSync(outDir, { recursive: true });
  const page = await openDemo(browser, pageUrl, 'dark', 'failed');
  await page.click('vscode-toolbar-button[title="Wrap long lines"]');
  await page.keyboard.press('Control+f');
  await page.waitForSelector('vscode-textfield');
  await find(page, 'chunk-9.js');
  await page.waitForTimeout(800);
  const read = () => page.evaluate(READ_VIEW) as Promise<RestoreCheck['after']>;
  const before = await read();
  await page.reload();
  await page.waitForFunction(() => (globalThis as unknown as PageGlobals).consoleBench.demoDone);
  await page.waitForTimeout(500);
  const after = await read();
  const file = path.join(outDir, 'console-restored.png');
  await page.screenshot({ path: file });
  await page.close();
  const ok = after.wrap && after.findOpen && after.findText === 'chunk-9.js' && !after.follow && after.topLine === before.topLine;
  return { ok, before: { topLine: before.topLine }, after, screenshot: file };
}
