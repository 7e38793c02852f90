// A finished job opened in the console webview in headless Chromium, as the editor opens one: the
// product's ConsoleFeed sends `console/init` (following the end), the status and the job's last
// chunks in credit-bounded batches to the built console app on the console bench's dev page
// (bench/console-page, ?scenario=bridge&via=evaluate); the page notes when the job's last line
// is on screen. The job comes from the caller's `load`: the editor's replay recorder, filled
// through the hub.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { isConsoleToHostMessage, type HostToConsoleMessage } from '../src/shared/protocol';
import { ConsoleFeed, type FeedSource } from '../src/core/jobs/consoleFeed';
import { buildConsoleApp, launchChromium } from './console-page/measure';
import { serveConsolePage, type PageServer } from '../test/harness/consolePage';

/** What one opening loaded and how long until its last line was on screen. */
export interface RenderRun {
  ms: number;
  chunks: number;
  bytes: number;
}

/** A job loaded for a console: where ConsoleFeed reads it, and how to let it go. */
export interface LoadedJob {
  source: FeedSource;
  jobId: string;
  dispose(): void;
}

export interface ConsoleRenderer {
  /** Opens a job in a new tab: `load` (timed) brings it, and its output ends with the line `lastLine`. */
  open(load: () => Promise<LoadedJob>, lastLine: string): Promise<RenderRun>;
  close(): Promise<void>;
}

/** What a source holds of a job: chunks and UTF-8 bytes. */
function held(source: FeedSource, jobId: string): { chunks: number; bytes: number } {
  const chunks = source.read(jobId, source.firstSeq(jobId), Number.MAX_SAFE_INTEGER);
  return { chunks: chunks.length, bytes: chunks.reduce((n, c) => n + Buffer.byteLength(c.text), 0) };
}

export async function startConsoleRenderer(): Promise<ConsoleRenderer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vmo-bench-history-'));
  let server: PageServer | undefined;
  let browser: Browser | undefined;
  try {
    await buildConsoleApp(dir);
    server = await serveConsolePage(dir);
    browser = await launchChromium();
  } catch (error) {
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const [pageUrl, chromium] = [server.url, browser];
  return {
    async open(load, lastLine) {
      const page = await chromium.newPage({ viewport: { width: 1280, height: 800 } });
      let feed: ConsoleFeed | undefined;
      let loaded: LoadedJob | undefined;
      try {
        let creditWindow = 0;
        let resolveReady!: () => void;
        const ready = new Promise<void>((resolve) => (resolveReady = resolve));
        await page.exposeBinding('vmoBridgePost', (_source, raw: unknown) => {
          if (!isConsoleToHostMessage(raw)) return;
          if (raw.type === 'ready') {
            creditWindow = raw.creditWindow;
            resolveReady();
          } else if (raw.type === 'console/credit') feed?.credit(raw.consumed);
        });
        // Host → page as the console bench's evaluate bridge: one evaluation in flight, carrying
        // every message posted since the last one (init, status and the first batches go together).
        const outbox: HostToConsoleMessage[] = [];
        let delivering = Promise.resolve();
        const post = (message: HostToConsoleMessage): void => {
          if (outbox.push(message) > 1) return;
          delivering = delivering.then(() => {
            const json = JSON.stringify(outbox.splice(0));
            return page.evaluate((j) => (globalThis as unknown as { consoleBridge: { deliver(j: string): void } }).consoleBridge.deliver(j), json);
          });
        };
        await page.goto(`${pageUrl}?${new URLSearchParams({ scenario: 'bridge', via: 'evaluate', marker: lastLine })}`);
        await ready;
        await page.waitForTimeout(200);
        const start = performance.timeOrigin + performance.now();
        loaded = await load();
        feed = new ConsoleFeed(loaded.source, post, loaded.jobId, { maxLines: () => 100_000 });
        feed.ready(creditWindow);
        await page.waitForFunction(() => (globalThis as unknown as { consoleBench: { lastVisibleAt: number } }).consoleBench.lastVisibleAt > 0, undefined, {
          timeout: 60_000,
          polling: 20,
        });
        await delivering;
        const visibleAt = (await page.evaluate('window.consoleBench.lastVisibleAt')) as number;
        return { ms: Math.round(visibleAt - start), ...held(loaded.source, loaded.jobId) };
      } finally {
        feed?.dispose();
        loaded?.dispose();
        await page.close();
      }
    },
    async close() {
      await chromium.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
