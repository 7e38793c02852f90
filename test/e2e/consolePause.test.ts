// The console app (dist/webview/console.js) in a real Chromium, with this test as its host, for the
// race the workbench cannot stage on purpose: the host skips output (`console/skip`) in the few
// milliseconds before it hears that the user paused the view. The paused view must show nothing of
// it; on Resume it takes over the skip and the output after it, and its credit accounts for every
// character it was sent, or the host's credit window would shrink for good.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { textChars, type Chunk, type JobInfo } from '../../src/shared/jobs';
import type { ConsoleToHostMessage, HostToConsoleMessage } from '../../src/shared/protocol';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../harness/browser';
import { serveConsolePage } from '../harness/consolePage';
import { readConsoleTab } from '../harness/consoleTab';
import { ROOT, resultsDirFor } from '../harness/paths';
import { until } from '../unit/server/helpers';

const APP_DIR = path.join(ROOT, 'dist/webview');
const JOB_ID = '3a7c1f52-9d4e-4b8a-8f01-6c2d5e9a0b13';
const cleanups: (() => Promise<unknown> | unknown)[] = [];
after(async () => {
  for (const clean of cleanups.reverse()) await clean();
});

const job: JobInfo = {
  id: JOB_ID,
  kind: 'target',
  mode: 'console',
  title: 'web flood',
  argv: ['make', 'flood'],
  hostname: 'localhost',
  startedAt: Date.now(),
  status: 'running',
};

/** Chunks `first`…, one line each: `line <n>`. */
function lines(seq: number, from: number, count: number): Chunk[] {
  return Array.from({ length: count }, (_, i) => ({ seq: seq + i, ts: Date.now(), stream: 'stdout', text: `line ${from + i}\n` }));
}

/** The console page with this test as its host: what the app posts is kept; `send` delivers the host's messages. */
async function openConsole(browser: Browser, url: string): Promise<{ page: Page; frame: Frame; posted: ConsoleToHostMessage[]; send(...messages: HostToConsoleMessage[]): Promise<void> }> {
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  const posted: ConsoleToHostMessage[] = [];
  await page.exposeBinding('vmoBridgePost', (_source, message: ConsoleToHostMessage) => void posted.push(message));
  await page.goto(`${url}?scenario=bridge&via=evaluate`);
  await until(() => posted.some((m) => m.type === 'ready'), 30_000, 'the console says ready');
  const send = async (...messages: HostToConsoleMessage[]): Promise<void> => {
    await page.evaluate((json) => (globalThis as unknown as { consoleBridge: { deliver(json: string): void } }).consoleBridge.deliver(json), JSON.stringify(messages));
  };
  return { page, frame: page.mainFrame(), posted, send };
}

/** The last credit the app posted: characters consumed since `console/init`. */
const lastCredit = (posted: readonly ConsoleToHostMessage[]): number => posted.reduce((last, m) => (m.type === 'console/credit' ? m.consumed : last), 0);

/** The log rows that are output lines. */
async function shownLines(frame: Frame): Promise<string[]> {
  return (await readConsoleTab(frame)).rows.filter((row) => row.startsWith('line '));
}

test('a skip that comes after the user paused is shown, and credited, only once the view resumes', { timeout: 120_000 }, async () => {
  assert.ok(existsSync(path.join(APP_DIR, 'console.js')), 'dist/webview/console.js is built (npm run build)');
  const server = await serveConsolePage(APP_DIR);
  cleanups.push(() => server.close());
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
  cleanups.push(() => browser.close());
  const { page, frame, posted, send } = await openConsole(browser, server.url);
  const shots = resultsDirFor('consolePause');

  await send({ type: 'console/init', job, options: { maxLines: 1000, wrap: false, timestamps: false, follow: true }, canFetchOlder: false });
  const first = lines(0, 0, 20);
  await send({ type: 'console/append', jobId: JOB_ID, chunks: first });
  await until(async () => (await shownLines(frame)).length === 20 && lastCredit(posted) === textChars(first), 15_000, 'the first lines are shown and credited');

  await frame.getByRole('switch', { name: 'Pause', exact: true }).click();
  await until(() => posted.some((m) => m.type === 'console/paused' && m.paused), 10_000, 'the host hears of the pause');
  // Sent before the host heard of the pause: more output, the skip that drops it, and what follows.
  const held = lines(20, 20, 30);
  const skipped = lines(50, 5000, 10);
  const after = lines(60, 5010, 5);
  await send({ type: 'console/append', jobId: JOB_ID, chunks: held }, { type: 'console/skip', jobId: JOB_ID, chunks: skipped }, { type: 'console/append', jobId: JOB_ID, chunks: after });
  // Two frames: anything the app would draw from these messages is drawn by then.
  await page.evaluate(() => {
    const frame = (globalThis as unknown as { requestAnimationFrame(callback: () => void): void }).requestAnimationFrame;
    return new Promise<void>((resolve) => frame(() => frame(resolve)));
  });
  assert.deepEqual(await shownLines(frame), first.map((c) => c.text.trimEnd()), 'the paused view still shows what it showed');
  assert.equal(lastCredit(posted), textChars(first), 'nothing held is credited while paused');
  await page.screenshot({ path: path.join(shots, '01-paused-with-skip-held.png') });

  await frame.getByRole('switch', { name: 'Resume', exact: true }).click();
  const expected = [...skipped, ...after].map((c) => c.text.trimEnd());
  await until(async () => JSON.stringify(await shownLines(frame)) === JSON.stringify(expected), 15_000, 'the resumed view shows the output from the skip on');
  const sent = textChars(first) + textChars(held) + textChars(skipped) + textChars(after);
  await until(() => lastCredit(posted) === sent, 10_000, `every character sent (${sent}) is credited, the ones the skip dropped included`);
  await page.screenshot({ path: path.join(shots, '02-resumed-after-skip.png') });
});
