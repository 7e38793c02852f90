// The terminal a user would otherwise run the producer in: VS Code's own integrated terminal, in
// code-server, shown in a page of the benchmark's headless Chromium. The producer records when it
// started and when it exited (its timeOrigin and its exit handler), so the figure is the
// producer's own lifetime, from the same file as the console's side.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { quotePosix } from '../../src/shared/format';
import { startCodeServer } from '../../test/harness/codeServer';

/** What the producer writes to its exit file. */
export interface ProducerTimes {
  startedAt: number;
  at: number;
  cpuMs: number;
}

export interface TerminalRun {
  /** From the producer's start to its exit, as it recorded them. */
  ms: number;
  /** The settings the terminal ran with, besides the defaults. */
  settings: Record<string, unknown>;
}

// The faster of VS Code's renderers here: with the default (GPU acceleration "auto") and no GPU,
// the terminal took more than twice as long for the same output, so this keeps the ratio honest.
const SETTINGS = { 'terminal.integrated.gpuAcceleration': 'off' };

/** Types `argv`, each word quoted for the shell, into a new integrated terminal; resolves with the producer's lifetime. */
export async function runInTerminal(browser: Browser, argv: readonly string[], exitFile: string, timeoutMs: number): Promise<TerminalRun> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'vmo-bench-terminal-'));
  const workspace = path.join(root, 'workspace');
  const home = path.join(root, 'home');
  mkdirSync(workspace, { recursive: true });
  mkdirSync(home, { recursive: true });
  const server = await startCodeServer({ workspace, home, installExtension: false, settings: SETTINGS });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    await page.goto(server.url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await page.locator('.monaco-workbench .part.activitybar').waitFor({ state: 'visible', timeout: 60_000 });
    await page.keyboard.press('Control+Backquote');
    const terminal = page.locator('.part.panel .terminal-wrapper.active .xterm');
    await terminal.waitFor({ state: 'visible', timeout: 30_000 });
    // The shell's prompt: the line the command is typed on.
    await page.locator('.part.panel .terminal-wrapper.active .xterm-rows').filter({ hasText: /\S/ }).waitFor({ timeout: 30_000 });
    await terminal.click();
    rmSync(exitFile, { force: true });
    await page.keyboard.type(argv.map(quotePosix).join(' '));
    await page.keyboard.press('Enter');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const times = readTimes(exitFile);
      if (times) return { ms: Math.round(times.at - times.startedAt), settings: SETTINGS };
      if (Date.now() > deadline) throw new Error(`The producer did not exit in the terminal within ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await page.close().catch(() => undefined);
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

/** The producer's times, once it has exited (the file is written whole by its exit handler). */
export function readTimes(exitFile: string): ProducerTimes | undefined {
  try {
    return JSON.parse(readFileSync(exitFile, 'utf8')) as ProducerTimes;
  } catch {
    return undefined;
  }
}
