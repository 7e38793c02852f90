// How the console bench's host reaches the page and back (see bench/console.ts): over HTTP
// through a worker in the page (bridgeHost.js), or through page.evaluate / page.exposeBinding.
import type { ServerResponse } from 'node:http';
import type { Page } from 'playwright-core';
import type { HostToConsoleMessage } from '../../src/shared/protocol';
import type { ExtraRoute } from '../../test/harness/consolePage';

const epochNow = (): number => performance.timeOrigin + performance.now();

export type Via = 'http' | 'evaluate';

/** How the host's messages reach the page, and the webview's reach the host. */
export interface Bridge {
  post(message: HostToConsoleMessage): void;
  stats: { writes: number; messages: number; maxBatchChars: number; hostWaitMs: number; lastAppendPostedAt: number; error: unknown };
  close(): void;
}

function newStats(): Bridge['stats'] {
  return { writes: 0, messages: 0, maxBatchChars: 0, hostWaitMs: 0, lastAppendPostedAt: 0, error: undefined };
}

/** The route of the page server that the current run's HTTP bridge answers. */
let bridgeRoute: ExtraRoute | undefined;

/** Answers the page server's requests under /bridge/ for the current run; returns whether it did. */
export const routeToBridge: ExtraRoute = (req, res, url) => bridgeRoute?.(req, res, url) ?? false;

// Host → webview: one streamed response (/bridge/events) of JSON lines, each the messages posted
// in one turn of the event loop; webview → host: POSTs to /bridge/post (see bridgeHost.js).
// Nothing is written before the page has connected, or while the socket is full.
export function httpBridge(receive: (raw: unknown) => void): Bridge {
  const stats = newStats();
  const outbox: HostToConsoleMessage[] = [];
  let events: ServerResponse | undefined;
  let scheduled = false;
  let draining = false;
  const flush = (): void => {
    scheduled = false;
    if (!events || draining || outbox.length === 0) return;
    const batch = outbox.splice(0);
    const json = JSON.stringify(batch);
    stats.writes++;
    stats.messages += batch.length;
    stats.maxBatchChars = Math.max(stats.maxBatchChars, json.length);
    // Encoded once, as VS Code encodes a webview message: a string written to a response is
    // measured (Buffer.byteLength) and then encoded, two passes that took ~1 s per 50 MB here.
    if (!events.write(Buffer.from(json + '\n'))) {
      draining = true;
      events.once('drain', () => {
        draining = false;
        flush();
      });
    }
    if (batch.some((m) => m.type === 'console/append')) stats.lastAppendPostedAt = epochNow();
  };
  bridgeRoute = (req, res, url) => {
    if (url.pathname === '/bridge/events' && req.method === 'GET') {
      events = res;
      res.socket?.setNoDelay(true);
      res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
      res.flushHeaders();
      flush();
      return true;
    }
    if (url.pathname === '/bridge/post' && req.method === 'POST') {
      const parts: Buffer[] = [];
      req.on('data', (part: Buffer) => parts.push(part));
      req.on('end', () => {
        res.writeHead(204).end();
        try {
          for (const message of JSON.parse(Buffer.concat(parts).toString('utf8')) as unknown[]) receive(message);
        } catch (error) {
          stats.error ??= error;
        }
      });
      return true;
    }
    return false;
  };
  return {
    post(message) {
      outbox.push(message);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    stats,
    close() {
      bridgeRoute = undefined;
      events?.end();
    },
  };
}

// Host → webview: page.evaluate(consoleBridge.deliver(json)), one in flight, with every message
// posted meanwhile in the next; webview → host: page.exposeBinding. Chromium parses each
// evaluation's arguments on the page's main thread, at about 45 ms per MB on these machines.
export async function evaluateBridge(page: Page, receive: (raw: unknown) => void): Promise<Bridge> {
  const stats = newStats();
  const outbox: HostToConsoleMessage[] = [];
  let flushing = false;
  const flush = async (): Promise<void> => {
    while (outbox.length > 0) {
      const batch = outbox.splice(0);
      const json = JSON.stringify(batch);
      stats.writes++;
      stats.messages += batch.length;
      stats.maxBatchChars = Math.max(stats.maxBatchChars, json.length);
      const start = performance.now();
      try {
        await page.evaluate((j) => (globalThis as unknown as { consoleBridge: { deliver(j: string): void } }).consoleBridge.deliver(j), json);
      } catch (error) {
        stats.error ??= error;
        outbox.length = 0;
      }
      stats.hostWaitMs += performance.now() - start;
      if (batch.some((m) => m.type === 'console/append')) stats.lastAppendPostedAt = epochNow();
    }
    flushing = false;
  };
  await page.exposeBinding('vmoBridgePost', (_source, raw: unknown) => receive(raw));
  return {
    post(message) {
      outbox.push(message);
      if (!flushing) {
        flushing = true;
        setImmediate(() => void flush());
      }
    },
    stats,
    close() {},
  };
}
