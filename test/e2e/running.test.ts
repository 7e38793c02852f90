// The Running acceptance test, as a user sees it in Chromium: a click on a target runs it in a
// console tab that streams its coloured output and ends with its status; a target that asks a
// question runs in a terminal the user types into; Cancel in the console stops a job and every
// process it started, even one that ignores SIGTERM. The Jobs view lists each job as it ends.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Frame } from 'playwright-core';
import { formatRows, Workbench, type TreeRow } from '../harness/browser';
import { sessionHub, startCodeServer, type CodeServer } from '../harness/codeServer';
import { readConsoleTab, readyToJudge, type ConsoleTabView } from '../harness/consoleTab';
import { FIXTURES_DIR, resultsDirFor, ROOT } from '../harness/paths';
import { removeOnExit } from '../harness/processes';
import { saveArtifacts, withArtifacts } from '../harness/session';

const FIXTURE_DIR = path.join(FIXTURES_DIR, 'e2e', 'running');
const CONTAINER = 'VM Orchestrator';
const ALIAS = 'runner';
const SHOTS = resultsDirFor('running');
/** Names every process long-wait starts (through the environment, see the fixture Makefile). */
const MARKER = `vmo-e2e-hold-${randomUUID()}`;
/** vmOrchestrator.run.cancelGraceSeconds for this run: SIGKILL follows SIGTERM after this long. */
const GRACE_SECONDS = 2;
/** The machine settings of the session: its hub posts every job's end to the test's receiver on `port`. */
const WEBHOOK_SETTINGS = ({ port }: { port: number }): Record<string, unknown> => ({
  'vmOrchestrator.hub.webhooks': [`http://127.0.0.1:${port}/hook`],
  'vmOrchestrator.hub.webhookOn': 'all',
});
/** The workspace's sequences: one to run, one a teammate's file must not get through (a make option). */
const SEQUENCES_FILE = `{
  "sequences": [
    { "name": "ship", "description": "one, then three", "steps": [
      { "alias": "${ALIAS}", "target": "step-one" },
      { "alias": "${ALIAS}", "target": "step-three", "args": ["NOTE=shipped"] }
    ] },
    { "name": "hold-then-one", "steps": [
      { "alias": "${ALIAS}", "target": "long-wait" },
      { "alias": "${ALIAS}", "target": "step-one" }
    ] },
    { "name": "sneaky", "steps": [{ "alias": "${ALIAS}", "target": "step-one", "args": ["--eval=x:;touch /tmp/owned"] }] }
  ]
}
`;

interface Setup {
  home: string;
  /** What the hub posted to the web hook the settings name, one parsed body per post. */
  posts: Array<{ job: { id: string; title: string }; status: string }>;
  /** The port of the receiver of those posts. */
  hookPort: number;
  server: CodeServer;
  workbench: Workbench;
  cleanup(): Promise<void>;
}

let setup: Setup;

/** A fixture home whose registry has the runner project, an empty workspace, code-server and Chromium. */
async function start(): Promise<Setup> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'vmo-running-'));
  const forget = removeOnExit(root);
  const home = path.join(root, 'home');
  const workspace = path.join(root, 'workspace');
  const project = path.join(home, 'src', ALIAS);
  cpSync(path.join(FIXTURE_DIR, 'projects', ALIAS), project, { recursive: true });
  const registryPath = path.join(home, '.config', 'mkcli', 'registry');
  mkdirSync(path.dirname(registryPath), { recursive: true });
  writeFileSync(registryPath, `${ALIAS} ${project} 0.1.0\n`);
  mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  writeFileSync(path.join(workspace, '.vscode', 'vm-orchestrator.json'), SEQUENCES_FILE);

  let server: CodeServer | undefined;
  let workbench: Workbench | undefined;
  // A web hook receiver on loopback: the window's own hub posts every job that ends to it.
  const posts: Setup['posts'] = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      posts.push(JSON.parse(body) as Setup['posts'][number]);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const cleanup = async (): Promise<void> => {
    await workbench?.close();
    await server?.stop();
    receiver.close();
    rmSync(root, { recursive: true, force: true });
    forget();
  };
  try {
    server = await startCodeServer({
      workspace,
      home,
      env: { VMO_E2E_MARKER: MARKER, VMO_E2E_TSC: path.join(ROOT, 'node_modules', '.bin', 'tsc') },
      settings: {
        'workbench.colorTheme': 'Default Dark Modern',
        // The DOM renderer draws text nodes the test can read; the GPU renderers draw pixels.
        'terminal.integrated.gpuAcceleration': 'off',
        'vmOrchestrator.run.cancelGraceSeconds': GRACE_SECONDS,
      },
    });
    const { port } = receiver.address() as AddressInfo;
    server.setMachineSettings(WEBHOOK_SETTINGS({ port }));
    workbench = await Workbench.open(server.url, { viewport: { width: 1400, height: 900 } });
    return { home, posts, hookPort: port, server, workbench, cleanup };
  } catch (err) {
    await saveArtifacts('running-start', server, workbench).catch(() => undefined);
    await cleanup();
    throw err;
  }
}

/** Runs a test body; on failure keeps a screenshot and the logs under test-results/<name>/. */
function step(name: string, body: () => Promise<void>): Promise<void> {
  return withArtifacts(name, setup, body);
}

async function shot(name: string): Promise<void> {
  await setup.workbench.screenshot(path.join(SHOTS, `${name}.png`));
}

/** Processes whose command line carries the marker, as `ps` lists them. */
function markerProcesses(): Array<{ pid: number; args: string }> {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.includes(MARKER))
    .map((line) => {
      const [, pid, args] = /^\s*(\d+)\s+(.*)$/.exec(line) ?? [];
      return { pid: Number(pid), args: args ?? line };
    })
    .filter((p) => p.pid > 0);
}

/** The marker processes still there after waiting up to `ms` for them to go. */
async function markerProcessesAfter(ms: number): Promise<Array<{ pid: number; args: string }>> {
  const deadline = Date.now() + ms;
  let left = markerProcesses();
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    left = markerProcesses();
  }
  return left;
}

before(async () => {
  setup = await start();
  await setup.workbench.openViewContainer(CONTAINER);
  await setup.workbench.setSideBarWidth(440);
  await setup.workbench.expandTreeItem('Projects', ALIAS);
  await setup.workbench.waitForTreeRows('Projects', (rows) =>
    ['colors', 'shell-greet', 'long-wait'].every((t) => rows.some((r) => r.level === 2 && r.label === t)),
  );
}, { timeout: 180_000 });

after(async () => {
  // Whatever a failed cancel left behind: only the processes of this run, by pid.
  for (const p of markerProcesses()) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  await setup?.cleanup();
}, { timeout: 60_000 });

/** What a console tab shows: the status in its header, the exit fact, and its log rows. */
/** The frame of the console tab of job `title` (e.g. "runner colors"). */
function consoleFrame(title: string, timeoutMs = 20_000): Promise<Frame> {
  return setup.workbench.webviewFrame('header h1', { hasText: new RegExp(`^\\s*${title}\\s*$`), timeoutMs });
}

/** Reads the console of job `title`; the webview may be rebuilt meanwhile, so the frame is looked up each time. */
async function readConsole(title: string): Promise<ConsoleTabView> {
  return readConsoleTab(await consoleFrame(title));
}

/** Polls the console of `title` until `predicate` holds; returns what it showed then. */
async function waitForConsole(title: string, predicate: (view: ConsoleTabView) => boolean, what: string, timeoutMs = 20_000): Promise<ConsoleTabView> {
  const deadline = Date.now() + timeoutMs;
  let last: ConsoleTabView | undefined;
  for (;;) {
    try {
      last = await readConsole(title);
      if (readyToJudge(last) && predicate(last)) return last;
    } catch {
      // The webview was being rebuilt; read it again.
    }
    if (Date.now() > deadline) {
      throw new Error(`The console of ${title} did not show ${what}; it shows: ${JSON.stringify(last ?? null, null, 2)}`);
    }
    await setup.workbench.page.waitForTimeout(150);
  }
}

function jobRow(rows: TreeRow[], title: string): TreeRow | undefined {
  return rows.find((r) => r.label === title);
}

test('a console target streams its coloured lines while it runs and ends as succeeded with exit code 0', { timeout: 90_000 }, () =>
  step('running-console', async () => {
    const { workbench } = setup;
    const title = `${ALIAS} colors`;
    await workbench.clickTreeItem('Projects', 'colors');

    // Lines must show up while the job still runs (it prints one every 1.5 s for six seconds).
    const deadline = Date.now() + 30_000;
    let seenWhileRunning: ConsoleTabView | undefined;
    let view: ConsoleTabView | undefined;
    for (;;) {
      try {
        view = await readConsole(title);
      } catch {
        view = undefined;
      }
      if (view && view.status === 'Running' && view.rows.some((l) => l.startsWith('line 1')) && !seenWhileRunning) {
        seenWhileRunning = view;
        await shot('01-console-while-running');
      }
      if (view && view.status !== 'Running') break;
      if (Date.now() > deadline) throw new Error(`The colors job did not end in time; the console shows: ${JSON.stringify(view ?? null)}`);
      await workbench.page.waitForTimeout(150);
    }
    assert.ok(seenWhileRunning, 'a line of output was shown while the job was still running');
    assert.ok(
      !seenWhileRunning.rows.some((l) => l.startsWith('line 5')),
      `while running, the console had not yet shown the last line: ${JSON.stringify(seenWhileRunning.rows)}`,
    );

    const done = await waitForConsole(title, (v) => v.rows.some((l) => l.startsWith('line 5')), 'the last line');
    assert.equal(done.status, 'Succeeded', `the header shows success: ${JSON.stringify(done)}`);
    assert.equal(done.exit, 'exit code 0', 'the header shows exit code 0');
    for (const line of ['line 1: green', 'line 2: bold red', 'line 3: blue and plain', 'line 4: orange', 'line 5: done']) {
      assert.ok(done.rows.includes(line), `the console shows "${line}" with the escape codes turned into styles: ${JSON.stringify(done.rows)}`);
    }
    assert.ok(!done.rows.some((l) => l.includes('\u001b') || l.includes('[32m')), 'no raw escape codes are shown');

    // The SGR colours are drawn: each coloured span has another computed colour than the row's text.
    const frame = await consoleFrame(title);
    const colours = await frame.locator('[role="log"] .row').evaluateAll((rows) => {
      const win = globalThis as unknown as { getComputedStyle(el: unknown): { color: string; fontWeight: string } };
      return rows.map((row) => {
        const el = row as unknown as { textContent: string | null; querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> };
        return {
          text: el.textContent ?? '',
          rowColour: win.getComputedStyle(row).color,
          spans: Array.from(el.querySelectorAll('span')).map((span) => ({
            text: span.textContent ?? '',
            colour: win.getComputedStyle(span).color,
            weight: win.getComputedStyle(span).fontWeight,
          })),
        };
      });
    });
    const spanOf = (text: string) => {
      for (const row of colours) {
        const span = row.spans.find((s) => s.text === text);
        if (span) return { ...span, rowColour: row.rowColour };
      }
      return undefined;
    };
    for (const text of ['line 1: green', 'line 2: bold red', 'line 3: blue', 'line 4: orange']) {
      const span = spanOf(text);
      assert.ok(span, `"${text}" is a styled span: ${JSON.stringify(colours.filter((r) => r.text.startsWith('line')))}`);
      assert.notEqual(span.colour, span.rowColour, `"${text}" is drawn in a colour of its own (${span.colour}), not the text colour (${span.rowColour})`);
    }
    assert.notEqual(spanOf('line 1: green')?.colour, spanOf('line 2: bold red')?.colour, 'green and red differ');
    assert.ok(Number(spanOf('line 2: bold red')?.weight) >= 600, 'SGR 1 is drawn bold');
    assert.equal(spanOf(' and plain'), undefined, 'text after the reset (SGR 0) is not styled');

    const rows = await workbench.waitForTreeRows('Jobs', (r) => jobRow(r, title)?.description.startsWith('success') === true);
    assert.match(jobRow(rows, title)?.description ?? '', /^success · /, `the Jobs view lists the job as succeeded:\n${formatRows(rows)}`);
    await shot('02-console-succeeded');
  }),
);

test('a console that follows a flood shows its newest lines at once, reads only what it keeps, and reads the rest back as it scrolls up', { timeout: 120_000 }, () =>
  step('running-flood', async () => {
    const title = `${ALIAS} flood`;
    const errorsBefore = setup.workbench.consoleErrors.length;
    await setup.workbench.clickTreeItem('Projects', 'flood');

    // What the console shows while the job runs: the newest lines over the log, and the log
    // silent for screen readers meanwhile.
    interface Seen {
      status: string;
      covered: boolean;
      ariaLive: string | null;
      newestLast: string;
    }
    const seen: Seen[] = [];
    const deadline = Date.now() + 60_000;
    for (let ended = false; !ended; ) {
      if (Date.now() > deadline) throw new Error(`The flood did not end in time: ${JSON.stringify(seen.slice(-3))}`);
      try {
        const frame = await consoleFrame(title, 5_000);
        const now = await frame.evaluate(() => {
          const doc = (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(a: string): string | null; textContent: string | null } | null; querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> } }).document;
          const rows = Array.from(doc.querySelectorAll('.newest .row'), (r) => (r.textContent ?? '').trimEnd());
          return {
            status: (doc.querySelector('header [role="status"]')?.getAttribute('aria-label') ?? '').replace(/^Status:\s*/, ''),
            covered: doc.querySelector('.catching-up') !== null,
            ariaLive: doc.querySelector('[role="log"]')?.getAttribute('aria-live') ?? null,
            newestLast: rows.at(-1) ?? '',
          };
        });
        seen.push(now);
        if (now.covered && seen.filter((v) => v.covered).length === 1) await shot('03-flood-newest-output');
        ended = now.status !== '' && now.status !== 'Running';
      } catch {
        // The webview was being rebuilt; read it again.
      }
      await setup.workbench.page.waitForTimeout(50);
    }
    const covered = seen.filter((v) => v.covered);
    assert.ok(covered.length > 0, `the newest output covered the log at some point: ${JSON.stringify(seen.slice(0, 5))}`);
    assert.ok(covered.every((v) => v.ariaLive === 'off'), `the covered log is not read out: ${JSON.stringify(covered.filter((v) => v.ariaLive !== 'off'))}`);
    assert.ok(covered.some((v) => /^flood line \d+ \.+$/.test(v.newestLast)), `the newest output shows flood lines: ${JSON.stringify(covered.map((v) => v.newestLast))}`);

    // Once the flood is over the log reads the rest of what it keeps, in order: its last line is
    // drawn, and find reaches a line written 5 MB before the end, long before the newest output
    // (the console keeps the last 100,000 lines; the host left out the 900,000 before them).
    const done = await waitForConsole(title, (v) => v.rows.at(-1) === 'END-OF-FLOOD', 'END-OF-FLOOD as its last row', 60_000);
    assert.equal(done.status, 'Succeeded', `the header shows success: ${JSON.stringify({ status: done.status, exit: done.exit })}`);
    const frame = await consoleFrame(title);
    await frame.locator('.catching-up').waitFor({ state: 'detached', timeout: 60_000 });
    await frame.getByRole('button', { name: 'Find', exact: true }).click();
    await frame.locator('vscode-textfield input').fill('needle-4d2f');
    const count = frame.locator('[data-find-state="done"]');
    await count.waitFor({ timeout: 60_000 });
    // It says that it searched the lines the console holds, not the million the job printed.
    await until(async () => /^1 of 1 in the last [\d,]+ lines$/.test(((await count.textContent()) ?? '').trim()), 'find to count the needle once, in the lines held', 60_000);
    await shot('04-flood-read-found');
    await setup.workbench.page.keyboard.press('Escape');

    // What the host left out is read back from it as the log scrolls up, a page at a time.
    const firstLine = async (): Promise<number> => Number(/^flood line (\d+) /.exec((await readConsole(title)).rows[0] ?? '')?.[1] ?? NaN);
    const log = frame.locator('[role="log"]');
    await log.hover();
    await setup.workbench.page.mouse.wheel(0, -1_000_000);
    await frame.locator('.notice', { hasText: /^(Older output is loaded as you scroll up\.|Loading older output…)$/ }).waitFor({ timeout: 10_000 });
    const top = await firstLine();
    assert.ok(top > 800_000 && top < 950_000, `the log holds the last lines only, from line ${top}`);
    let reached = top;
    for (let i = 0; i < 50 && !(reached < top - 5_000); i++) {
      await log.hover();
      await setup.workbench.page.mouse.wheel(0, -1_000_000);
      await setup.workbench.page.waitForTimeout(200);
      reached = await firstLine();
    }
    assert.ok(reached < top - 5_000, `scrolling up read older lines back: from line ${top} to ${reached}`);
    await shot('04c-flood-older-read-back');
    const scriptErrors = setup.workbench.consoleErrors.slice(errorsBefore).filter((e) => /\b(Type|Reference|Range)Error\b/.test(e));
    assert.deepEqual(scriptErrors, [], 'no script error in the console (a log not drawn for a while has dropped lines since)');
  }),
);

test('Find in a console that follows an endless flood uncovers the log and counts what has come so far, while the job runs; Cancel stops it', { timeout: 120_000 }, () =>
  step('running-flood-find', async () => {
    const title = `${ALIAS} endless-flood`;
    await setup.workbench.clickTreeItem('Projects', 'endless-flood');
    const frame = await consoleFrame(title);
    await frame.locator('.catching-up').waitFor({ timeout: 30_000 });

    // Lines long before the newest output, found while the flood goes on: the search must not
    // wait for an end that never comes. (The console keeps the last 100,000 lines, so the query
    // is one that every thousandth line matches, wherever the log has read to.)
    await frame.getByRole('button', { name: 'Find', exact: true }).click();
    await frame.locator('vscode-textfield input').fill('000 .');
    const status = frame.locator('[data-find-state]');
    await until(async () => /^[\d,]+ of [\d,]+\+?( in the last [\d,]+ lines)?$/.test(((await status.textContent()) ?? '').trim()), 'find to count matches', 30_000);
    const during = await readConsole(title);
    assert.equal(during.status, 'Running', 'find answered while the flood still runs');
    assert.equal(await frame.locator('.catching-up').count(), 0, 'the log is not covered while find is open');
    assert.ok(during.rows.some((r) => /^flood line \d+000 \./.test(r)), `a match is on screen: ${JSON.stringify(during.rows.slice(0, 3))}`);
    await shot('04b-endless-flood-found');

    // A query nothing has matched yet says it is still searching while the log catches up with
    // the flood: "No results" would be a claim about output it has not read.
    await frame.locator('vscode-textfield input').fill('no line says this');
    const said = new Set<string>();
    for (const end = Date.now() + 3000; Date.now() < end; await setup.workbench.page.waitForTimeout(50)) said.add(((await status.textContent()) ?? '').trim());
    assert.equal((await readConsole(title)).status, 'Running', 'the flood still ran while find searched');
    assert.deepEqual([...said].filter((text) => text !== 'Searching…'), [], 'find says only "Searching…" while the log catches up');

    // A paused view does not catch up: find tells of the log as it is shown.
    await frame.getByRole('switch', { name: 'Pause', exact: true }).click();
    const noResults = /^No results( in the last [\d,]+ lines)?$/;
    await until(async () => noResults.test(((await status.textContent()) ?? '').trim()), 'find to say "No results" of the paused log', 15_000);
    assert.equal((await readConsole(title)).status, 'Running', 'the flood still ran while the view was paused');
    await frame.getByRole('switch', { name: 'Resume', exact: true }).click();

    await frame.getByRole('button', { name: 'Cancel', exact: true }).click();
    const canceled = await waitForConsole(title, (v) => v.status !== 'Running', 'the job ending', (GRACE_SECONDS + 15) * 1000);
    assert.equal(canceled.status, 'Canceled', `the header shows the job as canceled: ${JSON.stringify({ status: canceled.status, exit: canceled.exit })}`);
    assert.deepEqual(await markerProcessesAfter(5000), [], 'no process of the flood is left after Cancel');
    const caughtUp = Date.now();
    await until(async () => noResults.test(((await status.textContent()) ?? '').trim()), 'find to say "No results" once the log has read the whole job', 90_000);
    console.log(`find said "No results" ${Date.now() - caughtUp} ms after the flood's processes were gone`);
    await setup.workbench.page.keyboard.press('Escape');
  }),
);

test('an interactive target runs in a terminal; the answer typed there reaches it, and the Jobs view shows it failed with exit code 2', { timeout: 90_000 }, () =>
  step('running-terminal', async () => {
    const { workbench } = setup;
    const title = `${ALIAS} shell-greet`;
    await workbench.clickTreeItem('Projects', 'shell-greet');

    await workbench.waitForTerminalText(/Name\? *$/m);
    const running = await workbench.waitForTreeRows('Jobs', (r) => jobRow(r, title) !== undefined);
    assert.equal(jobRow(running, title)?.description, 'running · terminal', `while it waits for input, the job runs in a terminal:\n${formatRows(running)}`);
    await shot('03-terminal-prompt');

    await workbench.page.locator('.part.panel .terminal-wrapper.active .xterm').first().click();
    await workbench.page.keyboard.type('Ada');
    await workbench.page.keyboard.press('Enter');
    const text = await workbench.waitForTerminalText(/exited with code/);
    assert.match(text, /^hello Ada$/m, `the recipe read what was typed: ${text}`);
    // The recipe exits 3; make reports that as its own exit code 2.
    assert.match(text, /runner shell-greet exited with code 2\./, 'the terminal says how the job ended');

    const rows = await workbench.waitForTreeRows('Jobs', (r) => jobRow(r, title)?.description.startsWith('failed') === true);
    const row = jobRow(rows, title);
    assert.match(row?.description ?? '', /^failed · .* · exit 2$/, `the Jobs view shows the failure with make's exit code:\n${formatRows(rows)}`);
    const notification = await workbench.waitForNotification(/runner shell-greet failed/);
    assert.match(notification, /failed with exit code 2/, 'the failure notification gives the exit code');
    await shot('04-terminal-failed');
  }),
);

test('Cancel in the console stops a long job and every process it started, including one that ignores SIGTERM and SIGHUP', { timeout: 90_000 }, () =>
  step('running-cancel', async () => {
    const { workbench } = setup;
    const title = `${ALIAS} long-wait`;
    assert.deepEqual(markerProcesses(), [], 'no process of this run exists before long-wait starts');
    await workbench.clickTreeItem('Projects', 'long-wait');

    await waitForConsole(
      title,
      (v) => v.status === 'Running' && v.rows.includes('holding (stubborn)') && v.rows.includes('holding (plain)'),
      'both holders started',
    );
    const started = markerProcesses();
    assert.ok(started.some((p) => /hold\.sh \S+ stubborn/.test(p.args)), `ps shows the holder that ignores SIGTERM and SIGHUP: ${JSON.stringify(started)}`);
    assert.ok(started.some((p) => /hold\.sh \S+ plain/.test(p.args)), `ps shows the plain holder: ${JSON.stringify(started)}`);
    await shot('05-long-job-running');

    const frame = await consoleFrame(title);
    // The toolbar's buttons are web components: their label is on the <button> inside.
    const cancel = frame.getByRole('button', { name: 'Cancel', exact: true });
    await cancel.waitFor({ state: 'visible' });
    await cancel.click();

    const canceled = await waitForConsole(title, (v) => v.status !== 'Running', 'the job ending', (GRACE_SECONDS + 15) * 1000);
    assert.equal(canceled.status, 'Canceled', `the header shows the job as canceled: ${JSON.stringify(canceled)}`);
    // The stubborn holder outlived the grace period (and make, and the terminal), so it took SIGKILL; the log says so.
    await waitForConsole(title, (v) => v.rows.some((l) => /sent SIGKILL/.test(l)), 'the note about SIGKILL');
    const cancelAfter = (await consoleFrame(title)).getByRole('button', { name: 'Cancel', exact: true });
    assert.equal(await cancelAfter.count(), 0, 'Cancel is gone once the job has ended');

    // The job ends only once its processes are gone; allow a moment for ps to stop listing them.
    assert.deepEqual(await markerProcessesAfter(5000), [], 'no process started by the job is left after Cancel');

    const rows = await workbench.waitForTreeRows('Jobs', (r) => jobRow(r, title)?.description.startsWith('canceled') === true);
    assert.match(jobRow(rows, title)?.description ?? '', /^canceled/, `the Jobs view lists the job as canceled:\n${formatRows(rows)}`);
    await shot('06-long-job-canceled');
  }),
);

/** The newest stored job titled `title`, through the hub's HTTP API; undefined until the hub runs. */
async function storedJob(title: string): Promise<{ id: string; status: string } | undefined> {
  let hub: { url: string; token: string };
  try {
    hub = sessionHub(setup.server.userDataDir);
  } catch {
    return undefined;
  }
  const res = await fetch(`${hub.url}/api/jobs?text=${encodeURIComponent(title.split(' ')[1])}&limit=50`, { headers: { authorization: `Bearer ${hub.token}` } });
  const body = (await res.json()) as { jobs: Array<{ id: string; title: string; status: string; startedAt: number }> };
  return body.jobs.filter((j) => j.title === title).sort((a, b) => b.startedAt - a.startedAt)[0];
}

test('reloading the window mid-job ends the job as interrupted, leaves no process, and the Jobs view still lists it, with its output', { timeout: 150_000 }, () =>
  step('running-reload', async () => {
    const { workbench } = setup;
    const title = `${ALIAS} long-wait`;
    assert.deepEqual(markerProcesses(), [], 'no process of this run exists before long-wait starts');
    await workbench.clickTreeItem('Projects', 'long-wait');
    await waitForConsole(title, (v) => v.status === 'Running' && v.rows.includes('holding (stubborn)'), 'the holders started');
    let job: { id: string; status: string } | undefined;
    for (const deadline = Date.now() + 20_000; job?.status !== 'running'; await new Promise((r) => setTimeout(r, 200))) {
      job = await storedJob(title);
      if (Date.now() > deadline) throw new Error(`The hub did not store the running job: ${JSON.stringify(job)}`);
    }
    const runningId = job.id;

    await workbench.page.reload();
    const reloadedAt = Date.now();
    await workbench.waitForWorkbench();
    for (const deadline = Date.now() + 60_000; ; await new Promise((r) => setTimeout(r, 250))) {
      job = await storedJob(title);
      if (job?.id === runningId && job.status !== 'running') break;
      if (Date.now() > deadline) throw new Error(`The job did not end after the reload: ${JSON.stringify(job)}`);
    }
    assert.equal(job.status, 'interrupted', 'the hub stores the job as interrupted');
    // The closing window reported the end (or the next one sent it from the spool), rather than
    // the hub finding the job silent after its 30 s grace.
    assert.ok(Date.now() - reloadedAt < 20_000, `the job ended ${Date.now() - reloadedAt} ms after the reload`);
    assert.deepEqual(await markerProcessesAfter(10_000), [], 'no process started by the job is left after the reload');

    await workbench.openViewContainer(CONTAINER);
    const rows = await workbench.waitForTreeRows('Jobs', (r) => jobRow(r, title)?.description.startsWith('interrupted') === true, 30_000);
    await shot('07-jobs-after-reload');
    assert.match(jobRow(rows, title)?.description ?? '', /^interrupted/, `the Jobs view lists the stored job as interrupted:\n${formatRows(rows)}`);
    await workbench.clickTreeItem('Jobs', title);
    const replayed = await waitForConsole(title, (v) => v.rows.includes('holding (stubborn)') && v.status !== 'Running', 'the stored output, replayed');
    assert.equal(replayed.status, 'Interrupted', `the console shows how the job ended: ${JSON.stringify(replayed)}`);
    await shot('08-replayed-after-reload');
  }),
);

test('targets picked together run in sequence under one parent job; the step after a failing one is skipped', { timeout: 90_000 }, () =>
  step('running-sequence', async () => {
    const { workbench } = setup;
    await workbench.runCommand('View: Close All Editors');
    // The project row alone is selected (clicked twice: collapsed, then expanded), the three
    // targets are added with Ctrl+click, which selects without running, and the project is taken
    // out again (a menu shows only what applies to every row selected).
    await workbench.expandTreeItem('Projects', ALIAS);
    await workbench.clickTreeItem('Projects', ALIAS);
    await workbench.clickTreeItem('Projects', ALIAS);
    for (const label of ['step-one', 'step-fails', 'step-three', ALIAS]) {
      await (await workbench.revealTreeItem('Projects', label)).click({ modifiers: ['ControlOrMeta'] });
    }
    await (await workbench.revealTreeItem('Projects', 'step-three')).click({ button: 'right' });
    await workbench.page.locator('.monaco-menu .action-label', { hasText: 'Run in Sequence' }).hover();
    await workbench.page.keyboard.press('Enter');

    const title = `${ALIAS} step-one → ${ALIAS} step-fails → ${ALIAS} step-three`;
    const done = await waitForConsole(title, (v) => v.status === 'Failed', 'the sequence failing', 30_000);
    assert.equal(done.exit, 'exit code 2', JSON.stringify(done));
    assert.ok(done.rows.includes(`1/3 ${ALIAS} step-one: success`) || done.rows.some((l) => l.startsWith(`1/3 ${ALIAS} step-one: success in `)), JSON.stringify(done.rows));
    assert.ok(done.rows.includes(`Skipped: 3/3 ${ALIAS} step-three.`), JSON.stringify(done.rows));
    assert.ok(done.rows.includes(`Stopped at 2/3 ${ALIAS} step-fails (failed, exit 2): 1 succeeded; skipped 1.`), JSON.stringify(done.rows));

    const rows = await workbench.waitForTreeRows('Jobs', (r) => r.some((row) => row.label === title && row.description.startsWith('failed')), 20_000);
    const at = rows.findIndex((r) => r.label === title);
    assert.deepEqual(
      rows.slice(at + 1, at + 4).map((r) => [r.label, r.level, r.description.split(' · ')[0]]),
      [
        [`${ALIAS} step-one`, 2, 'success'],
        [`${ALIAS} step-fails`, 2, 'failed'],
        [`${ALIAS} step-three`, 2, 'skipped'],
      ],
      formatRows(rows),
    );
    await shot('sequence-skipped');
  }),
);

test('the sequences of the workspace are in the Projects view: one runs on a click, one with a make option is an error naming its line', { timeout: 90_000 }, () =>
  step('running-named-sequence', async () => {
    const { workbench } = setup;
    await workbench.runCommand('View: Close All Editors');
    const rows = await workbench.waitForTreeRows('Projects', (r) => r.some((row) => row.label === 'ship') && r.some((row) => row.label.includes('--eval')), 20_000);
    const problem = rows.find((r) => r.label.includes('--eval'))!;
    assert.match(problem.label, /Sequence "sneaky", step 1: Expected VAR=value, got "--eval=x:;touch \/tmp\/owned": options and other targets are not taken from a workspace file/);
    assert.equal(problem.description, '.vscode/vm-orchestrator.json:11');
    // What runs, not what the file says of it ("one, then three").
    assert.equal(rows.find((r) => r.label === 'ship')?.description, `${ALIAS} step-one → ${ALIAS} step-three NOTE=shipped`);
    assert.ok(!rows.some((r) => r.label === 'sneaky'), formatRows(rows));

    // A teammate may have written the file: its steps are asked about, whole, before they run.
    await workbench.clickTreeItem('Projects', 'ship');
    const dialog = workbench.page.locator('.monaco-dialog-box').filter({ hasText: 'Run the sequence ship?' });
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    const detail = await dialog.locator('.dialog-message-detail').innerText();
    assert.match(detail, new RegExp(`^1\\. ${ALIAS} step-one\\s*\\n2\\. ${ALIAS} step-three NOTE=shipped\\s*\\n`), detail);
    assert.match(detail, /From vm-orchestrator\.json, line 3, a file of the workspace/);
    await shot('sequence-question');
    await dialog.getByRole('button', { name: 'Run, Do Not Ask Again', exact: true }).click();
    const done = await waitForConsole('ship', (v) => v.status === 'Succeeded', 'the sequence succeeding', 30_000);
    assert.ok(done.rows.includes('All 2 steps succeeded.'), JSON.stringify(done.rows));
    const jobs = await workbench.waitForTreeRows('Jobs', (r) => r.some((row) => row.label === `${ALIAS} step-three` && row.description === 'success · NOTE=shipped') || r.some((row) => row.label === `${ALIAS} step-three` && /^success · .* · NOTE=shipped$/.test(row.description)), 20_000);
    assert.ok(jobs.some((r) => r.label === 'ship' && r.level === 1), formatRows(jobs));
    await shot('sequence-named');
  }),
);

test('a failing C target and a failing tsc target put their problems in the Problems panel; a click opens the file at the line and column', { timeout: 120_000 }, () =>
  step('running-problems', async () => {
    const { workbench } = setup;
    await workbench.runCommand('View: Close All Editors');
    await workbench.expandTreeItem('Projects', ALIAS);
    await workbench.clickTreeItem('Projects', 'c-fails');
    const c = await waitForConsole(`${ALIAS} c-fails`, (v) => v.status === 'Failed', 'the C target failing', 30_000);
    assert.ok(c.rows.some((l) => l.includes("bad.c:7:10: error: ‘missing’ undeclared")), JSON.stringify(c.rows));
    // gcc's error and make's own; gcc's warning.
    const frame = await consoleFrame(`${ALIAS} c-fails`);
    const counts = frame.locator('header .fact.problems');
    await counts.waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await counts.getAttribute('aria-label'), 'Problems: 2 errors, 1 warnings');
    await shot('problems-console');
    await frame.getByRole('button', { name: 'Go to First Error' }).click();
    await until(async () => (await workbench.activeEditorTab())?.startsWith('bad.c') === true, 'bad.c in the editor', 15_000);
    await until(async () => (await workbench.editorSelection()) === 'Ln 7, Col 10', 'the cursor at bad.c:7:10', 10_000);

    await workbench.clickTreeItem('Projects', 'ts-fails');
    await waitForConsole(`${ALIAS} ts-fails`, (v) => v.status === 'Failed', 'the tsc target failing', 60_000);
    await workbench.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    const problem = workbench.page.locator('.markers-panel .monaco-list-row', { hasText: "Type 'string' is not assignable to type 'number'." });
    await problem.first().waitFor({ state: 'visible', timeout: 15_000 });
    const panel = (await workbench.page.locator('.markers-panel').innerText()).replace(/\s+/g, ' ');
    assert.ok(panel.includes('‘missing’ undeclared') && panel.includes('unused variable ‘unused’'), panel);
    await shot('problems-panel');
    await problem.first().click();
    await until(async () => (await workbench.activeEditorTab())?.startsWith('bad.ts') === true, 'bad.ts in the editor', 15_000);
    await until(async () => (await workbench.editorSelection()) === 'Ln 1, Col 7', 'the cursor at bad.ts:1:7', 10_000);

    // The hub stores the counts with the job's end.
    const hub = sessionHub(setup.server.userDataDir);
    const answer = (await (await fetch(`${hub.url}/api/jobs?text=c-fails&limit=5`, { headers: { authorization: `Bearer ${hub.token}` } })).json()) as { jobs: Array<{ errors?: number; warnings?: number }> };
    assert.deepEqual([answer.jobs[0]?.errors, answer.jobs[0]?.warnings], [2, 1], JSON.stringify(answer));
  }),
);

test('Compare with Previous Run shows exactly the one line that changed between two runs, times, paths and durations masked', { timeout: 120_000 }, () =>
  step('running-compare', async () => {
    const { workbench } = setup;
    await workbench.runCommand('View: Close All Editors');
    await workbench.expandTreeItem('Projects', ALIAS);
    for (let run = 1; run <= 2; run++) {
      await workbench.clickTreeItem('Projects', 'varying');
      await waitForConsole(`${ALIAS} varying`, (v) => v.status === 'Succeeded' && v.rows.includes(`run number ${run}`), `run ${run} succeeding`, 30_000);
    }
    const rows = await workbench.waitForTreeRows('Jobs', (r) => r.filter((row) => row.label === `${ALIAS} varying` && row.description.startsWith('success')).length === 2, 20_000);
    assert.ok(rows.length > 0);
    // The newest is listed first; the VMs view (empty here) makes room for the Jobs view.
    await workbench.collapseView('VMs');
    for (let attempt = 1; ; attempt++) {
      await (await workbench.revealTreeItem('Jobs', `${ALIAS} varying`)).click({ button: 'right' });
      await workbench.page.locator('.monaco-menu .action-label', { hasText: 'Compare with Previous Run' }).hover();
      await workbench.page.keyboard.press('Enter');
      try {
        await workbench.page.locator('.monaco-diff-editor').first().waitFor({ state: 'visible', timeout: 10_000 });
        break;
      } catch (err) {
        if (attempt === 3) throw err;
        await workbench.page.keyboard.press('Escape');
      }
    }
    const diff = workbench.page.locator('.monaco-diff-editor').first();
    const original = diff.locator('.editor.original .view-lines');
    const modified = diff.locator('.editor.modified .view-lines');
    await until(async () => (await modified.innerText()).replace(/\u00a0/g, ' ').includes('run number 2'), 'the newer run on the right', 15_000);
    const left = (await original.innerText()).replace(/\u00a0/g, ' ');
    const right = (await modified.innerText()).replace(/\u00a0/g, ' ');
    assert.match(left, /started at <time>/);
    assert.match(left, /scratch <tmp>/);
    assert.match(left, /took <duration>/);
    const leftLines = left.split('\n').filter(Boolean);
    const rightLines = right.split('\n').filter(Boolean);
    assert.equal(leftLines.length, rightLines.length, `${left}\n---\n${right}`);
    const changed = leftLines.filter((line, i) => line !== rightLines[i]);
    assert.deepEqual(changed, ['run number 1'], `${left}\n---\n${right}`);
    // The diff editor marks that one line, and only it, on each side.
    await until(async () => (await diff.locator('.editor.modified .line-insert').count()) >= 1, 'the changed line marked', 10_000);
    const marked = await diff.locator('.editor.modified .line-insert').evaluateAll((els) => new Set(els.map((e) => e.getAttribute('style'))).size);
    assert.equal(marked, 1, 'one line marked as changed');
    await shot('compare');
  }),
);

/** Polls `check` until it holds. */
async function until(check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await setup.workbench.page.waitForTimeout(150);
  }
}

// Any change to a hub setting gives the window a new reporter (registerHub.ts), with a spool folder
// of its own, and hands it every job the window holds. The earlier folder, still holding the
// running job's spool, was let go at once and replayed as a dead window's: the job was stored as
// interrupted while it ran, and the rest of its output was refused.
test('a hub setting changed while a target runs: the job is stored to its real end, with all of its output', { timeout: 90_000 }, () =>
  step('running-hub-setting-changed', async () => {
    const { workbench, server } = setup;
    const api = async <T>(pathName: string): Promise<T> => {
      const hub = sessionHub(server.userDataDir);
      return (await (await fetch(`${hub.url}${pathName}`, { headers: { authorization: `Bearer ${hub.token}` } })).json()) as T;
    };
    await workbench.runCommand('View: Close All Editors');
    const title = `${ALIAS} colors`;
    await workbench.clickTreeItem('Projects', 'colors');
    await waitForConsole(title, (v) => v.status === 'Running' && v.rows.some((l) => l.startsWith('line 1')), 'its first line while it runs');
    server.setMachineSettings({ ...WEBHOOK_SETTINGS({ port: setup.hookPort }), 'vmOrchestrator.hub.acceptRuns': true });
    const done = await waitForConsole(title, (v) => v.status !== 'Running' && v.rows.some((l) => l.startsWith('line 5')), 'the last line and the end', 30_000);
    assert.equal(done.status, 'Succeeded', JSON.stringify(done));
    let job: { id: string; status: string } | undefined;
    await until(async () => {
      // The hub may still be starting (its state file not written yet).
      job = await api<{ jobs: Array<{ id: string; title: string; status: string }> }>(`/api/jobs?text=colors&limit=1`).then((r) => r.jobs[0], () => undefined);
      return job !== undefined && job.status !== 'running';
    }, 'the job to end at the hub', 60_000);
    assert.equal(job?.status, 'success', JSON.stringify(job));
    const { chunks } = await api<{ chunks: Array<{ text: string }> }>(`/api/jobs/${job!.id}/events`);
    const text = chunks.map((c) => c.text).join('');
    for (const line of ['line 1: green', 'line 5: done']) assert.ok(text.includes(line), `the hub stored "${line}": ${JSON.stringify(text)}`);
  }),
);

test('the web hook the settings name receives one post per job that ended', { timeout: 60_000 }, () =>
  step('running-webhook', async () => {
    const hub = sessionHub(setup.server.userDataDir);
    const ended = async (): Promise<Array<{ id: string; status: string }>> => {
      const answer = (await (await fetch(`${hub.url}/api/jobs?limit=200`, { headers: { authorization: `Bearer ${hub.token}` } })).json()) as { jobs: Array<{ id: string; status: string }> };
      return answer.jobs.filter((j) => j.status !== 'running' && j.status !== 'queued');
    };
    let jobs: Array<{ id: string; status: string }> = [];
    await until(async () => {
      jobs = await ended();
      return jobs.length > 0 && jobs.every((j) => setup.posts.some((p) => p.job.id === j.id));
    }, 'a post for every ended job', 30_000).catch(() => undefined);
    const posted = setup.posts.map((p) => p.job.id);
    assert.ok(jobs.length >= 10, `the session ended jobs: ${jobs.length}`);
    assert.deepEqual([...posted].sort(), jobs.map((j) => j.id).sort(), 'one post per ended job, none twice');
    for (const job of jobs) assert.equal(setup.posts.find((p) => p.job.id === job.id)?.status, job.status);
  }),
);

test('Cancel on a sequence cancels the running step, leaves no process, and skips the rest', { timeout: 90_000 }, () =>
  step('running-sequence-cancel', async () => {
    const { workbench } = setup;
    await workbench.runCommand('View: Close All Editors');
    await workbench.clickTreeItem('Projects', 'hold-then-one');
    const question = workbench.page.locator('.monaco-dialog-box').filter({ hasText: 'Run the sequence hold-then-one?' });
    await question.getByRole('button', { name: 'Run', exact: true }).click({ timeout: 15_000 });
    await waitForConsole('hold-then-one', (v) => v.rows.includes(`1/2 ${ALIAS} long-wait: started`), 'the first step started', 20_000);
    await until(async () => markerProcesses().length >= 2, 'long-wait holding', 20_000);
    const frame = await consoleFrame('hold-then-one');
    await frame.getByRole('button', { name: 'Cancel', exact: true }).click();
    const done = await waitForConsole('hold-then-one', (v) => v.status === 'Canceled', 'the sequence canceled', 30_000);
    assert.ok(done.rows.includes(`Skipped: 2/2 ${ALIAS} step-one.`), JSON.stringify(done.rows));
    assert.deepEqual(await markerProcessesAfter(10_000), [], 'no process of the canceled step is left');
    const rows = await workbench.waitForTreeRows('Jobs', (r) => r.some((row) => row.label === 'hold-then-one' && row.description.startsWith('canceled')), 20_000);
    const at = rows.findIndex((r) => r.label === 'hold-then-one');
    assert.deepEqual(
      rows.slice(at + 1, at + 3).map((r) => [r.label, r.description.split(' · ')[0]]),
      [
        [`${ALIAS} long-wait`, 'canceled'],
        [`${ALIAS} step-one`, 'skipped'],
      ],
      formatRows(rows),
    );
  }),
);
