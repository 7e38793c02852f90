// A finished job opened in the console webview in headless Chromium, as the editor opens one: the
// product's ConsoleFeed sends `console/init` (following the end), the status and the job's last
// chunks in credit-bounded batches to the built console app on the console bench's dev page
// (bench/console-page, ?scenario=bridge&via=evaluate); the page notes when the job's last line
// is on screen. The chunks come from a fetch given by the caller (through the hub).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import type { Chunk, JobInfo } from '../src/shared/jobs';
import { isConsoleToHostMessage, type HostToConsoleMessage } from '../src/shared/protocol';
import { ConsoleFeed, type FeedSource } from '../src/core/jobs/consoleFeed';
import { buildConsoleApp, launchChromium, serveConsolePage, type PageServer } from './console-page/measure';

/** What one opening fetched and how long until its last line was on screen. */
export interface RenderRun {
  ms: number;
  chunks: number;
  bytes: number;
}

export interface ConsoleRenderer {
  /** Opens `jobId` in a new tab: `fetch` (timed) brings the job and its last chunks, which end with the line `lastLine`. */
  open(fetch: () => Promise<{ job: JobInfo; chunks: Chunk[] }>, lastLine: string): Promise<RenderRun>;
  close(): Promise<void>;
}

/** The fetched chunks as ConsoleFeed's source: what the editor's recorder would hold. */
function fetchedSource(job: JobInfo, chunks: Chunk[]): FeedSource {
  const first = chunks[0]?.seq ?? 0;
  return {
    get: (id) => (id === job.id ? job : undefined),
    firstSeq: () => first,
    nextSeq: () => first + chunks.length,
    tailStart: () => first,
    read: (_id, fromSeq, maxBytes) => {
      const page: Chunk[] = [];
      let bytes = 0;
      for (let i = Math.max(0, fromSeq - first); i < chunks.length && (page.length === 0 || bytes < maxBytes); i++) {
        page.push(chunks[i]!);
        bytes += chunks[i]!.text.length;
      }
      return page;
    },
  };
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
    async open(fetch, lastLine) {
      const page = await chromium.newPage({ viewport: { width: 1280, height: 800 } });
      let feed: ConsoleFeed | undefined;
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
        const { job, chunks } = await fetch();
        feed = new ConsoleFeed(fetchedSource(job, chunks), post, job.id, { maxLines: () => 100_000 });
        feed.ready(creditWindow);
        await page.waitForFunction(() => (globalThis as unknown as { consoleBench: { lastVisibleAt: number } }).consoleBench.lastVisibleAt > 0, undefined, {
          timeout: 60_000,
          polling: 20,
        });
        await delivering;
        const visibleAt = (await page.evaluate('window.consoleBench.lastVisibleAt')) as number;
        return { ms: Math.round(visibleAt - start), chunks: chunks.length, bytes: chunks.reduce((n, c) => n + Buffer.byteLength(c.text), 0) };
      } finally {
        feed?.dispose();
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
