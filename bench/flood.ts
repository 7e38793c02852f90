// What a console costs a flooding job in the real workbench: code-server in Chromium, with the
// extension, its hub and VS Code's own webview transport (the console bench stands in for that
// transport with an HTTP bridge). A console target prints 1,000,000 lines (~100 MB, the console
// bench's producer), alternately with its console open and following, and with the console's tab
// hidden behind a new editor as soon as the job starts: a hidden console reads nothing, while the
// output still goes through the runner, the recorder and the hub. (Closing the tab would cancel
// the job.) Each time is the producer's own, from its start to its exit.
//
//   npm run bench -- flood [--rounds 3] [--lines 1000000]
//
// open_vs_hidden: the median over the rounds of a run with the console open against the run with
// it hidden just before it; all of them in `rounds`. Compare with the console bench's
// streamed_vs_runner_only (goal 1.15), which has no hub. Run `npm run build` first.
// chromium_ms: Chromium's CPU from the click to the producer's exit; in a hidden run
// chromium_until_hidden_ms of it went to opening the console and hiding it. (Hidden by the command
// palette and a new editor, that was 2.9-3.9 s of 4.6-5.2 s, and the hidden run no clean baseline
// for the open one; the editor is now opened before the job, and the console hidden by Ctrl+PageUp:
// 1.1-2.4 s, most of it the console's webview starting, and open_vs_hidden 0.95-1.03.)
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { withWorkbench } from './_workbench';
import { cpuSnapshot } from './console-page/cpuTimes';
import { readTimes } from './console-page/terminal';
import { machine } from './machine';
import { arg, median } from './_cli';

const ROUNDS = Math.max(1, Number(arg('rounds', '3')));
const LINES = Number(arg('lines', '1000000'));
const PRODUCER = path.join(__dirname, 'console-page', 'producer.mjs');
/** After the producer exits: time for the runner to read the rest and the hub to store it. */
const SETTLE_MS = 8000;

/** One run: the producer's time, and Chromium's CPU from the click to the producer's exit (in a hidden run, also until the console was hidden). */
interface Run {
  ms: number;
  chromium_ms: number;
  chromium_until_hidden_ms?: number;
}

async function main(): Promise<void> {
  // The producer runs in the project's folder, and writes when it started and exited there.
  const project = {
    alias: 'bench',
    fill: (dir: string) =>
      writeFileSync(
        path.join(dir, 'Makefile'),
        `flood: ## Print ${LINES} lines as fast as they are read\n\t@${process.execPath} ${PRODUCER} ${LINES} ${Math.floor(LINES * 0.123)} NEEDLE-flood END-OF-FLOOD exited-at\n`,
      ),
  };
  await withWorkbench('flood', project, async (bench, dir) => {
    const exitFile = path.join(dir, 'exited-at');
    /** One run of the target; its console hidden as soon as it opens when `open` is false. */
    const run = async (open: boolean): Promise<Run> => {
      rmSync(exitFile, { force: true });
      // The editor that hides the console is opened before the job, so that hiding it is a
      // switch of tabs (Ctrl+PageUp), not the command palette and a new editor.
      if (!open) {
        await bench.runCommand('File: New Untitled Text File');
        await sleep(2000);
      }
      const before = cpuSnapshot();
      await bench.clickTreeItem('Projects', 'flood');
      let hiding: number | undefined;
      if (!open) {
        await bench.webviewFrame('[role="log"]', { timeoutMs: 60_000 });
        await bench.page.keyboard.press('Control+PageUp');
        await bench.page.locator('.part.editor .tab.active', { hasText: 'Untitled' }).waitFor({ timeout: 10_000 });
        hiding = cpuSnapshot().chromium - before.chromium;
      }
      for (const deadline = Date.now() + 300_000; !readTimes(exitFile); await sleep(100)) {
        if (Date.now() > deadline) throw new Error('The producer did not exit within 300 s');
      }
      const chromium = cpuSnapshot().chromium - before.chromium;
      const times = readTimes(exitFile)!;
      await sleep(SETTLE_MS);
      // The console, and the empty editor that hid it.
      await bench.runCommand('View: Close All Editors');
      return {
        ms: Math.round(times.at - times.startedAt),
        chromium_ms: Math.round(chromium),
        ...(hiding === undefined ? {} : { chromium_until_hidden_ms: Math.round(hiding) }),
      };
    };

    const rounds: { hidden: Run; open: Run; ratio: number }[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const hidden = await run(false);
      const open = await run(true);
      rounds.push({ hidden, open, ratio: Math.round((open.ms / hidden.ms) * 100) / 100 });
      console.error(`round ${i + 1}: hidden ${hidden.ms} ms, open ${open.ms} ms`);
    }
    console.log(
      JSON.stringify({
        bench: 'flood',
        lines: LINES,
        open_vs_hidden: median(rounds.map((r) => r.ratio)),
        open_ms: median(rounds.map((r) => r.open.ms)),
        hidden_ms: median(rounds.map((r) => r.hidden.ms)),
        rounds,
        machine: machine(),
      }),
    );
  });
}

void main();
