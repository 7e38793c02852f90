// The Job History tab, as a user works with it in Chromium: three jobs run (one fails), the
// history lists them, a filter narrows it to the failure, a click replays the failed job in a
// console tab, Rerun runs it again, and after a reload of the page the history is the same. A
// job another window reports runs here only as this window builds it and after a modal showed
// its exact command. A long job stored by another window opens at its end and reads the rest
// back as it scrolls up.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Frame } from 'playwright-core';
import { quotePosix } from '../../src/shared/format';
import { HubReporter } from '../../src/core/hub/hubReporter';
import type { HubJob } from '../../src/shared/hubProtocol';
import type { JobInfo } from '../../src/shared/jobs';
import { formatRows } from '../harness/browser';
import { sessionHub } from '../harness/codeServer';
import { SAMPLE_PROJECTS } from '../harness/fixtures';
import { resultsDirFor } from '../harness/paths';
import { Session } from '../harness/session';
import { tempDir } from '../unit/server/helpers';
import { newJob } from '../unit/store/helpers';

const SHOTS = resultsDirFor('history');
let session: Session;

before(
  async () => {
    session = await Session.start({
      name: 'history',
      fixture: { projects: SAMPLE_PROJECTS },
      settings: { 'workbench.colorTheme': 'Default Dark Modern' },
      viewport: { width: 1400, height: 900 },
    });
  },
  { timeout: 180_000 },
);

after(() => session?.close(), { timeout: 60_000 });

/** The history tab's frame (its webview is rebuilt when hidden, so it is looked up each time). */
function historyFrame(): Promise<Frame> {
  return session.workbench.webviewFrame('table[aria-label="Jobs"]', { timeoutMs: 30_000 });
}

/** The rows of the history table, as their accessible labels ("Failed · target · web deploy …"). */
async function historyRows(frame: Frame): Promise<string[]> {
  return frame.locator('table[aria-label="Jobs"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''));
}

// Stores jobs in the session's hub as another window does: a HubReporter with the operator's
// token and a spool of its own, closed once the hub has everything it was given.
async function reportAsAnotherWindow(report: (other: HubReporter) => void): Promise<void> {
  const hub = sessionHub(session.server.userDataDir, 'operator');
  const spool = tempDir();
  const other = new HubReporter({ url: hub.url, token: hub.token, reporterId: 'another-window', spoolDir: spool.dir });
  try {
    report(other);
    assert.ok(await other.idle(30_000), 'the other window stored its jobs');
  } finally {
    await other.close(2000);
    spool.remove();
  }
}

async function waitForHistory(predicate: (rows: string[]) => boolean, what: string, ms = 30_000): Promise<string[]> {
  const deadline = Date.now() + ms;
  let rows: string[] = [];
  for (;;) {
    try {
      rows = await historyRows(await historyFrame());
      if (predicate(rows)) return rows;
    } catch {
      // The webview was being rebuilt.
    }
    if (Date.now() > deadline) throw new Error(`The history did not show ${what}; it shows:\n${rows.join('\n')}`);
    await session.workbench.page.waitForTimeout(250);
  }
}

const ended = (rows: string[], title: string, status: string): boolean => rows.some((r) => r.startsWith(status) && r.includes(` ${title}`));

test('three jobs, one failed: the history lists them, filters to the failure, replays and reruns it, and survives a reload', { timeout: 240_000 }, () =>
  session.step('history', async () => {
    const { workbench } = session;
    await workbench.openViewContainer('VM Orchestrator');
    await workbench.expandTreeItem('Projects', 'web');
    await workbench.waitForTreeRows('Projects', (rows) => rows.some((r) => r.level === 2 && r.label === 'deploy'));

    await workbench.clickTreeItem('Projects', 'lint');
    await workbench.waitForTreeRows('Jobs', (r) => r.some((row) => row.label === 'web lint' && row.description.startsWith('success')), 30_000);
    await workbench.clickTreeItem('Projects', 'build');
    await workbench.waitForTreeRows('Jobs', (r) => r.some((row) => row.label === 'web build' && row.description.startsWith('success')), 30_000);
    // deploy to production without CONFIRM=yes fails; the arguments go through Run with Arguments…
    const input = workbench.page.locator('.quick-input-widget .quick-input-box input');
    // A menu that has just opened may ignore its first input: try again.
    for (let attempt = 1; ; attempt++) {
      await (await workbench.revealTreeItem('Projects', 'deploy')).click({ button: 'right' });
      // Pointing at the item focuses it; Enter runs it (a pointer click right after the menu
      // opened is sometimes dropped).
      await workbench.page.locator('.monaco-menu .action-label', { hasText: 'Run with Arguments' }).hover();
      await workbench.page.keyboard.press('Enter');
      try {
        await input.waitFor({ state: 'visible', timeout: 5000 });
        break;
      } catch (err) {
        if (attempt === 3) throw err;
        await workbench.page.keyboard.press('Escape');
      }
    }
    await input.fill('ENV=production');
    await input.press('Enter');
    const jobs = await workbench.waitForTreeRows('Jobs', (r) => r.some((row) => row.label === 'web deploy' && row.description.startsWith('failed')), 30_000);
    assert.ok(jobs.length >= 3, formatRows(jobs));

    await workbench.runCommand('VM Orchestrator: Show Job History');
    const all = await waitForHistory((rows) => ended(rows, 'web lint', 'Succeeded') && ended(rows, 'web build', 'Succeeded') && ended(rows, 'web deploy', 'Failed'), 'the three jobs');
    assert.equal(all.length, 3, `only the three jobs:\n${all.join('\n')}`);
    await workbench.screenshot(path.join(SHOTS, '01-history.png'));

    // Filter to failures, as a user does with the Status select.
    const frame = await historyFrame();
    await frame.locator('vscode-single-select[title="Status"]').click();
    await frame.getByRole('option', { name: 'Failed' }).click();
    const failures = await waitForHistory((rows) => rows.length === 1, 'only the failure');
    assert.match(failures[0], /^Failed/, failures[0]);
    assert.match(failures[0], /web deploy/);
    assert.match(failures[0], /exit code 2/, 'make exits 2 when a recipe fails');
    await workbench.screenshot(path.join(SHOTS, '02-failures.png'));

    // A click replays it in a console tab.
    await (await historyFrame()).locator('table[aria-label="Jobs"] tbody tr').first().click();
    const consoleFrame = await workbench.webviewFrame('[role="log"] .row', { hasText: /Refusing to deploy to production/, timeoutMs: 30_000 });
    const status = await consoleFrame.locator('header [role="status"]').first().getAttribute('aria-label');
    assert.match(status ?? '', /Failed/, `the replayed console shows the failure: ${status}`);
    await workbench.screenshot(path.join(SHOTS, '03-replayed.png'));

    // Rerun from the history: the same target with the same arguments fails again.
    await workbench.runCommand('VM Orchestrator: Show Job History');
    // A row's buttons show when the pointer is over it.
    const row = (await historyFrame()).locator('table[aria-label="Jobs"] tbody tr').first();
    await row.hover();
    await row.getByRole('button', { name: 'Rerun web deploy' }).click();
    // The rerun runs in a console tab of its own, in front; the history shows it when shown again.
    await workbench.waitForTreeRows('Jobs', (r) => r.filter((row) => row.label === 'web deploy' && row.description.startsWith('failed')).length === 2, 60_000);
    await workbench.runCommand('VM Orchestrator: Show Job History');
    await waitForHistory((rows) => rows.filter((r) => r.startsWith('Failed') && r.includes('web deploy')).length === 2, 'the rerun failing as well', 30_000);

    // Reloading the page (closing and reopening the editor) shows the same history.
    await workbench.page.reload();
    await workbench.waitForWorkbench();
    await workbench.openViewContainer('VM Orchestrator');
    await workbench.runCommand('VM Orchestrator: Show Job History');
    const again = await waitForHistory((rows) => rows.length >= 4, 'the history after the reload', 60_000);
    assert.ok(ended(again, 'web lint', 'Succeeded') && ended(again, 'web build', 'Succeeded'), again.join('\n'));
    await workbench.screenshot(path.join(SHOTS, '04-after-reload.png'));
  }),
);

test('Copy Dashboard URL gives the hub page signed in; it shows a job run from VS Code live, and its output', { timeout: 120_000 }, () =>
  session.step('history-dashboard', async () => {
    const { workbench } = session;
    await workbench.page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    // The command returns before its write lands: wait for the clipboard to change from a value set here.
    const placeholder = `not yet copied ${Date.now()}`;
    await workbench.page.evaluate(`navigator.clipboard.writeText(${JSON.stringify(placeholder)})`);
    await workbench.runCommand('VM Orchestrator: Copy Dashboard URL');
    let url = placeholder;
    for (const deadline = Date.now() + 10_000; url === placeholder; await workbench.page.waitForTimeout(100)) {
      url = String(await workbench.page.evaluate('navigator.clipboard.readText()'));
      if (url === placeholder && Date.now() > deadline) throw new Error('Copy Dashboard URL did not write the clipboard within 10 s');
    }
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+$/, `the hub's own page with a token in the fragment: ${url}`);

    const dashboard = await workbench.page.context().newPage();
    try {
      await dashboard.goto(url);
      const table = dashboard.locator('table[aria-label="Jobs"]');
      await table.waitFor({ state: 'visible', timeout: 30_000 });
      assert.ok(!dashboard.url().includes('token='), `the token is taken out of the address bar: ${dashboard.url()}`);
      const rows = table.locator('tbody tr');
      const before = await rows.count();

      // Run a target in VS Code; the page, left as it is, lists it as it happens.
      await workbench.page.bringToFront();
      // The first test reloaded the page, which folded the tree.
      await workbench.expandTreeItem('Projects', 'web');
      await workbench.clickTreeItem('Projects', 'lint');
      await dashboard.bringToFront();
      const newest = rows.first();
      for (const deadline = Date.now() + 30_000; ; await dashboard.waitForTimeout(200)) {
        const label = (await rows.count()) > before ? ((await newest.getAttribute('aria-label')) ?? '') : '';
        if (/^Succeeded.*web lint/.test(label)) break;
        if (Date.now() > deadline) throw new Error(`The page did not list the new job as succeeded; its first row: ${label}`);
      }
      await newest.click();
      await dashboard.locator('section.replay [role="log"]', { hasText: 'no problems found' }).waitFor({ timeout: 30_000 });
      await dashboard.screenshot({ path: path.join(SHOTS, '05-dashboard.png') });
    } finally {
      await dashboard.close();
    }
  }),
);

test('a job another window reports runs here only as this window builds it, after a modal shows its exact command: hidden arguments are refused, a long one is shown in an editor, Cancel runs nothing', { timeout: 150_000 }, () =>
  session.step('history-foreign-rerun', async () => {
    const { workbench } = session;
    const hub = sessionHub(session.server.userDataDir, 'operator');
    // What `web build` runs in this window, as the first test stored it.
    const res = await fetch(`${hub.url}/api/jobs?alias=web&text=build&limit=50`, { headers: { authorization: `Bearer ${hub.token}` } });
    const mine = ((await res.json()) as { jobs: HubJob[] }).jobs.find((j) => j.title === 'web build' && j.hostname === os.hostname() && (j.args ?? []).length === 0);
    assert.ok(mine, 'this window ran web build');
    const marker = path.join(os.tmpdir(), `vmo-rerun-marker-${randomUUID()}`);
    const hostile = `--eval=$(shell touch ${marker})`;
    const reported = (over: Partial<JobInfo>): JobInfo => newJob({ title: 'web build', argv: mine.argv, cwd: mine.cwd, hostname: 'teammate-laptop', ...over });
    // The history would show `… build`; the argument is only in `args`.
    const hidden = reported({ args: [hostile] });
    // The command shows the argument: it is the command this window builds, so it may be asked for.
    const shown = reported({ argv: [...mine.argv, hostile], args: [hostile] });
    const benign = reported({ argv: [...mine.argv, 'VERSION=9.9.9'], args: ['VERSION=9.9.9'] });
    // Its command shows the argument, after more than the dialog shows without scrolling.
    const padding = Array.from({ length: 80 }, (_, i) => `NOTE${i}=ok`);
    const padded = reported({ argv: [...mine.argv, ...padding, hostile], args: [...padding, hostile] });
    await reportAsAnotherWindow((other) => {
      for (const job of [hidden, shown, benign, padded]) {
        other.started(job);
        other.finished(job.id, { status: 'success', exitCode: 0, signal: null, durationMs: 900, finishedAt: Date.now() });
      }
    });

    await workbench.runCommand('VM Orchestrator: Show Job History');
    const ids = [hidden.id, shown.id, benign.id, padded.id];
    await waitForHistory(() => true, 'the reported jobs');
    const rowOf = async (id: string) => (await historyFrame()).locator(`table[aria-label="Jobs"] tbody tr[data-id="${id}"]`);
    for (const id of ids) await (await rowOf(id)).waitFor({ timeout: 30_000 });
    // The history shows the arguments of each, beside the command.
    assert.match((await (await rowOf(hidden.id)).textContent()) ?? '', /args '--eval=\$\(shell touch /);
    await workbench.screenshot(path.join(SHOTS, '09-reported-jobs.png'));
    const rerun = async (id: string): Promise<void> => {
      const row = await rowOf(id);
      await row.hover();
      await row.getByRole('button', { name: 'Rerun web build' }).click();
    };
    const dialog = workbench.page.locator('.monaco-dialog-box');

    // Arguments its argv does not show: refused, with the stored command and the one that would run.
    await rerun(hidden.id);
    const refusal = await workbench.waitForNotification(/is not what/, 15_000);
    assert.ok(refusal.includes(`The stored command \``) && refusal.includes(hostile), refusal);
    assert.equal(await dialog.count(), 0, 'no question is asked for a refused job');
    await workbench.screenshot(path.join(SHOTS, '10-hidden-args-refused.png'));

    // The command shows them: the modal shows every word as it would run, and Cancel runs nothing.
    await rerun(shown.id);
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    const message = (await dialog.locator('.dialog-message-text').textContent()) ?? '';
    const detail = (await dialog.locator('.dialog-message-detail').textContent()) ?? '';
    const exact = [...mine.argv, hostile].map(quotePosix).join(' ');
    assert.equal(message, 'Run web build from the history?');
    assert.ok(detail.includes(exact), `the dialog shows the exact command ${exact}:\n${detail}`);
    assert.ok(detail.includes(`Arguments: ${quotePosix(hostile)}`), detail);
    assert.match(detail, /reported by teammate-laptop, another-window/);
    await workbench.screenshot(path.join(SHOTS, '11-confirm-exact-command.png'));
    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 5000 });
    await workbench.page.waitForTimeout(2000);
    assert.equal(existsSync(marker), false, 'nothing ran: the marker file was not created');
    const jobsNow = await workbench.waitForTreeRows('Jobs', () => true);
    assert.ok(!jobsNow.some((r) => r.label === 'web build' && r.description.startsWith('running')), formatRows(jobsNow));

    // A command the dialog could not show whole (its end would be out of sight below the Run
    // button): shown whole in an editor, asked in a notification; Cancel runs nothing.
    await workbench.runCommand('VM Orchestrator: Show Job History');
    await rerun(padded.id);
    const tooLong = await workbench.waitForNotification(/too long for a dialog/, 15_000);
    assert.match(tooLong, /^Run web build from the history\? It is too long for a dialog: read it whole in the editor "Command to run" first\.$/, tooLong);
    assert.equal(await dialog.count(), 0, 'no dialog shows a command it cannot show whole');
    const editor = workbench.page.locator('.editor-group-container .monaco-editor .view-lines');
    await workbench.page.locator('.tab', { hasText: 'Command to run' }).waitFor({ timeout: 10_000 });
    const shownText = (await editor.first().textContent())?.replace(/\u00a0/g, ' ') ?? '';
    assert.ok(shownText.includes(`NOTE79=ok ${quotePosix(hostile)}`), `the editor shows the command to its end: ${shownText.slice(-300)}`);
    await workbench.screenshot(path.join(SHOTS, '10b-long-command-in-editor.png'));
    await workbench.page.locator('.notification-toast', { hasText: 'too long for a dialog' }).getByRole('button', { name: 'Cancel', exact: true }).click();
    await workbench.page.waitForTimeout(1000);
    assert.equal(existsSync(marker), false, 'nothing ran');

    // A job whose command is this window's, confirmed: it runs exactly that.
    await workbench.runCommand('VM Orchestrator: Show Job History');
    await rerun(benign.id);
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    assert.ok(((await dialog.locator('.dialog-message-detail').textContent()) ?? '').includes([...mine.argv, 'VERSION=9.9.9'].map(quotePosix).join(' ')));
    await dialog.getByRole('button', { name: 'Run', exact: true }).click();
    const ran = await workbench.webviewFrame('[role="log"] .row', { hasText: /Building webapp 9\.9\.9/, timeoutMs: 30_000 });
    assert.match((await ran.locator('header').textContent()) ?? '', /args\s*VERSION=9\.9\.9/, 'the console header shows the arguments');
    await workbench.screenshot(path.join(SHOTS, '12-confirmed-rerun.png'));
    assert.equal(existsSync(marker), false, 'the marker file was never created');
  }),
);

test('a long job stored by another window opens at its end; scrolling up reads the rest from the hub, and Open as Text has all of it', { timeout: 150_000 }, () =>
  session.step('history-long-job', async () => {
    const { workbench } = session;
    // Another window stores a job of 60,000 lines, in chunks of 300: the first (3.9 KB) is stored
    // as text, the others (5 KB and more) deflated.
    const LINES = 60_000;
    const PER_CHUNK = 300;
    await reportAsAnotherWindow((other) => {
      const job = newJob({ title: 'web flood', target: 'flood', argv: ['make', 'flood'] });
      other.started(job);
      for (let seq = 0; seq < LINES / PER_CHUNK; seq++) {
        const text = Array.from({ length: PER_CHUNK }, (_, i) => `flood line ${seq * PER_CHUNK + i}\n`).join('');
        other.chunks(job.id, [{ seq, ts: Date.now(), stream: 'stdout', text }]);
      }
      other.finished(job.id, { status: 'success', exitCode: 0, signal: null, durationMs: 2000, finishedAt: Date.now() });
    });

    await workbench.runCommand('VM Orchestrator: Show Job History');
    await waitForHistory((rows) => ended(rows, 'web flood', 'Succeeded'), 'the long job');
    await (await historyFrame()).locator('table[aria-label="Jobs"] tbody tr', { hasText: 'web flood' }).first().click();
    const consoleFrame = await workbench.webviewFrame('[role="log"] .row', { hasText: `flood line ${LINES - 1}`, timeoutMs: 30_000 });
    const lineZero = consoleFrame.getByText('flood line 0', { exact: true });
    assert.equal(await lineZero.count(), 0, 'the console opens at the end, without the first line');
    await workbench.screenshot(path.join(SHOTS, '06-long-job-end.png'));
    for (let i = 0; i < 100 && (await lineZero.count()) === 0; i++) {
      await consoleFrame.locator('[role="log"]').hover();
      await workbench.page.mouse.wheel(0, -1_000_000);
      await workbench.page.waitForTimeout(200);
    }
    await lineZero.waitFor({ timeout: 10_000 });
    await consoleFrame.getByText('flood line 1', { exact: true }).waitFor();
    await workbench.screenshot(path.join(SHOTS, '07-long-job-top.png'));

    // Open as Text reads what the console never fetched as well: the whole output, from its first line.
    await consoleFrame.getByRole('button', { name: 'Open as Text' }).click();
    const text = workbench.page.locator('.editor-instance .monaco-editor .view-lines');
    await text.filter({ hasText: 'flood line 0' }).first().waitFor({ timeout: 30_000 });
    await workbench.screenshot(path.join(SHOTS, '08-long-job-as-text.png'));
    await workbench.page.keyboard.press('Control+End');
    await text.filter({ hasText: `flood line ${LINES - 1}` }).first().waitFor({ timeout: 10_000 });
  }),
);

// Last in this file: it replaces the session's hub.
test("the window's own hub killed: a job run meanwhile is kept, the window starts a new hub, and it stores the job with its output", { timeout: 150_000 }, () =>
  session.step('history-hub-killed', async () => {
    const { workbench } = session;
    // The extension starts its hub once it is activated, by its views.
    await workbench.openViewContainer('VM Orchestrator');
    await workbench.expandTreeItem('Projects', 'web');
    let old: ReturnType<typeof sessionHub> | undefined;
    for (const deadline = Date.now() + 60_000; !old; await workbench.page.waitForTimeout(500)) {
      if (Date.now() > deadline) throw new Error('The window started no hub');
      try {
        old = sessionHub(session.server.userDataDir);
      } catch {
        // Not started yet.
      }
    }
    process.kill(old.pid, 'SIGKILL');
    const killedAt = Date.now();
    await workbench.clickTreeItem('Projects', 'lint');
    await workbench.webviewFrame('[role="log"] .row', { hasText: 'no problems found', timeoutMs: 30_000 });

    // The window finds its hub gone and starts another, which gets the spooled job.
    type Stored = { id: string; title: string; status: string; startedAt: number };
    let stored: Stored | undefined;
    let seen = 'nothing yet';
    for (const deadline = Date.now() + 90_000; !stored; await workbench.page.waitForTimeout(500)) {
      if (Date.now() > deadline) throw new Error(`No new hub stored the job run while the hub was gone (${seen})`);
      try {
        const hub = sessionHub(session.server.userDataDir);
        if (hub.pid === old.pid) continue;
        const res = await fetch(`${hub.url}/api/jobs?text=lint&limit=20`, { headers: { authorization: `Bearer ${hub.token}` } });
        const { jobs } = (await res.json()) as { jobs: Stored[] };
        seen = JSON.stringify(jobs.map((j) => [j.title, j.status]));
        stored = jobs.find((j) => j.title === 'web lint' && j.startedAt >= killedAt && j.status === 'success');
        if (stored) {
          const events = (await (await fetch(`${hub.url}/api/jobs/${stored.id}/events`, { headers: { authorization: `Bearer ${hub.token}` } })).json()) as { chunks: Array<{ text: string }> };
          assert.ok(events.chunks.some((c) => c.text.includes('no problems found')), JSON.stringify(events));
        }
      } catch (err) {
        if (err instanceof assert.AssertionError) throw err;
        seen = String(err);
      }
    }
  }),
);
