// Screenshots and figures for the console webview:
//   node --import tsx bench/console-page/run.ts [--lines 1000000] [--max-lines 100000,1000000]
//        [--dist] [--no-screenshots]
// Builds the app into bench/results/console-page/app (or uses dist/webview with --dist), serves the
// dev page on 127.0.0.1, drives headless Chromium, prints the figures and, last, one JSON line.
import path from 'node:path';
import { machine } from '../machine';
import { buildConsoleApp, checkRestore, launchChromium, measureFlood, takeScreenshots, type FloodResult, type RestoreCheck } from './measure';
import { serveConsolePage } from '../../test/harness/consolePage';
import { arg } from '../_cli';

async function main(): Promise<void> {
  const repo = path.join(__dirname, '../..');
  const lines = Number(arg('lines', '1000000'));
  const maxLinesList = arg('max-lines', '100000,1000000').split(',').map(Number);
  const useDist = process.argv.includes('--dist');
  const appDir = useDist ? path.join(repo, 'dist/webview') : path.join(repo, 'bench/results/console-page/app');
  if (!useDist) await buildConsoleApp(appDir);

  const server = await serveConsolePage(appDir);
  const browser = await launchChromium();
  try {
    let screenshots: string[] = [];
    let cspViolations: string[] = [];
    let restore: RestoreCheck | null = null;
    if (!process.argv.includes('--no-screenshots')) {
      const outDir = path.join(repo, 'bench/results/console-page');
      const shots = await takeScreenshots(browser, server.url, outDir);
      restore = await checkRestore(browser, server.url, outDir);
      screenshots = [...shots.files, restore.screenshot].map((f) => path.relative(repo, f));
      cspViolations = shots.cspViolations;
      for (const f of screenshots) console.log(`screenshot ${f}`);
      console.log(`restore after a hidden tab: ${restore.ok ? "ok" : "FAILED"} before ${JSON.stringify(restore.before)} after ${JSON.stringify(restore.after)}`);
    }
    const floods: FloodResult[] = [];
    for (const maxLines of maxLinesList) {
      const r = await measureFlood(browser, server.url, { lines, maxLines });
      floods.push(r);
      console.log(
        `${r.lines.toLocaleString()} lines (${(r.chars / 2 ** 20).toFixed(0)} MB), maxLines ${r.maxLines.toLocaleString()}: ` +
          `${r.streamMs} ms (${r.linesPerSecond.toLocaleString()} lines/s), frames p50 ${r.frameP50Ms} / p95 ${r.frameP95Ms} / p99 ${r.frameP99Ms} / max ${r.frameMaxMs} ms over ${r.frames}, ` +
          `last chunk → visible ${r.lastChunkToVisibleMs} ms, heap peak ${r.heapPeakMb} MB, after GC ${r.heapAfterGcMb} MB, ` +
          `find rare ${r.findRareMs} ms (${r.findRareStatus}), common ${r.findCommonMs} ms (${r.findCommonStatus}), ` +
          `credits ${r.posted['console/credit'] ?? 0}, CSP violations ${r.cspViolations.length}`,
      );
    }
    console.log(JSON.stringify({ machine: machine(), chromium: browser.version(), screenshots, cspViolations, restoreOk: restore?.ok ?? null, floods }));
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
