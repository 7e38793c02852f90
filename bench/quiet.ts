// What a running job that prints nothing costs the browser, in the real code-server shown in
// Chromium (software compositing, as on these machines): the CPU time of every Chromium process
// per second, with the VM Orchestrator side bar open and nothing running (the baseline), then
// while a console target waits (`long-wait` of the e2e fixture), with its console open and then
// closed. Nothing on screen changes but the console's running time, once a second; anything that
// animates (a spinning icon) keeps the compositor drawing 60 frames a second instead.
//
//   npm run bench -- quiet [--seconds 10]
//
// running_extra_ms_per_s: Chromium's CPU a second with the console open, minus the baseline.
// Goal: running_extra_ms_per_s <= 50 (a twentieth of a CPU for a job that shows nothing new).
// Run `npm run build` first.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FIXTURES_DIR } from '../test/harness/paths';
import { withWorkbench } from './_workbench';
import { cpuSnapshot } from './console-page/cpuTimes';
import { machine } from './machine';

const i = process.argv.indexOf('--seconds');
const SECONDS = i >= 0 ? Number(process.argv[i + 1]) : 10;
const GOALS = { running_extra_ms_per_s: 50 };
/** Names every process long-wait starts, so that none outlives the bench. */
const MARKER = `vmo-bench-quiet-${randomUUID()}`;

/** Chromium's CPU time (ms) per second over the next SECONDS. */
async function chromiumMsPerSecond(): Promise<number> {
  const before = cpuSnapshot();
  await sleep(SECONDS * 1000);
  return Math.round((cpuSnapshot().chromium - before.chromium) / SECONDS);
}

function stopHolders(): void {
  try {
    execFileSync('pkill', ['-f', MARKER]);
  } catch {
    // None left.
  }
}

async function main(): Promise<void> {
  const runner = { alias: 'runner', fill: (dir: string) => cpSync(path.join(FIXTURES_DIR, 'e2e', 'running', 'projects', 'runner'), dir, { recursive: true }), env: { VMO_E2E_MARKER: MARKER } };
  try {
    await withWorkbench('quiet', runner, async (workbench) => {
      const idle = await chromiumMsPerSecond();
      await workbench.clickTreeItem('Projects', 'long-wait');
      await workbench.webviewFrame('[role="log"]', { hasText: MARKER, timeoutMs: 60_000 });
      await sleep(2000);
      const running = await chromiumMsPerSecond();
      await workbench.runCommand('View: Close All Editors');
      await sleep(2000);
      const consoleClosed = await chromiumMsPerSecond();
      const extra = running - idle;
      const result = {
        bench: 'quiet',
        seconds: SECONDS,
        chromium_idle_ms_per_s: idle,
        chromium_running_ms_per_s: running,
        chromium_running_console_closed_ms_per_s: consoleClosed,
        running_extra_ms_per_s: extra,
        goals: GOALS,
        met: { running_extra_ms_per_s: extra <= GOALS.running_extra_ms_per_s },
        machine: machine(),
      };
      console.log(JSON.stringify(result));
    });
  } finally {
    stopHolders();
  }
}

void main();
