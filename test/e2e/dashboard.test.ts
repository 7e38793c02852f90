// The hub's dashboard page in a real Chromium, against a real hub process (PGlite, and PostgreSQL
// when there is one): jobs reported by a HubReporter — as a VS Code window reports them — show up
// live, a running job's output replays and goes on live, the filters narrow the table, and a
// wrong token gets the login form and no data. The page works the same through code-server's
// /proxy/<port>/, where "Open Dashboard" opens it in code-server.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { HubReporter } from '../../src/core/hub/hubReporter';
import type { JobInfo, JobResult } from '../../src/shared/jobs';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../harness/browser';
import { startCodeServer } from '../harness/codeServer';
import { ROOT, resultsDirFor } from '../harness/paths';
import { NO_POSTGRES, postgresAvailable, startTestPostgres, type TestPostgres } from '../harness/postgres';
import { lines, newJob, spawnHub, tempDir, type HubProcess } from '../unit/server/helpers';

const VIEWER = `dash-viewer-${process.pid}-0123456789abcdef`;
const OPERATOR = `dash-operator-${process.pid}-0123456789abcdef`;
const TIMEOUT = { timeout: 240_000 };

const cleanups: (() => Promise<unknown> | unknown)[] = [];
after(async () => {
  for (const clean of cleanups.reverse()) await clean();
});

function folder(): string {
  const temp = tempDir();
  cleanups.push(temp.remove);
  return temp.dir;
}

/** A hub process with the test's tokens, on `database` (a PGlite folder or a postgres:// URL). */
async function startHub(database: string): Promise<HubProcess> {
  const tokenFile = path.join(folder(), 'tokens');
  writeFileSync(tokenFile, `viewer ${VIEWER}\noperator ${OPERATOR}\n`, { mode: 0o600 });
  const hub = await spawnHub(['--port', '0', '--token-file', tokenFile, '--database', database]);
  cleanups.push(() => hub.stop());
  return hub;
}

/** A reporter as a VS Code window has one. */
function reporter(url: string): HubReporter {
  const r = new HubReporter({ url, token: OPERATOR, reporterId: `dashboard-test-${cleanups.length}`, spoolDir: path.join(folder(), 'spool') });
  cleanups.push(() => r.close(2000));
  return r;
}

async function launch(): Promise<Browser> {
  // Chromium keeps crash reports under $XDG_CONFIG_HOME whatever the profile.
  const scratch = folder();
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
    env: { ...process.env, XDG_CONFIG_HOME: path.join(scratch, 'config'), XDG_CACHE_HOME: path.join(scratch, 'cache') },
  });
  cleanups.push(() => browser.close());
  return browser;
}

/** A page that records what it sent and got over Socket.io, and its errors. */
async function newPage(browser: Browser, colorScheme: 'light' | 'dark'): Promise<{ page: Page; sent: string[]; received: string[]; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const sent: string[] = [];
  const received: string[] = [];
  const errors: string[] = [];
  page.on('websocket', (ws) => {
    ws.on('framesent', (f) => sent.push(String(f.payload)));
    ws.on('framereceived', (f) => received.push(String(f.payload)));
  });
  page.on('requestfinished', (req) => {
    // Long polling carries Socket.io packets too, before the upgrade.
    if (req.url().includes('/socket.io/')) {
      if (req.postData()) sent.push(req.postData()!);
      void req.response().then((res) => res?.text().then((t) => received.push(t)).catch(() => undefined));
    }
  });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return { page, sent, received, errors };
}

/** The table rows' screen-reader sentences, top to bottom. */
function rowLabels(page: Page): Promise<string[]> {
  return page.locator('table[aria-label="Jobs"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''));
}

async function waitForRows(page: Page, check: (labels: string[]) => boolean, what: string): Promise<string[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const labels = await rowLabels(page);
    if (check(labels)) return labels;
    if (Date.now() > deadline) throw new Error(`The table did not show ${what}; it shows:\n${labels.join('\n') || '(no rows)'}`);
    await page.waitForTimeout(100);
  }
}

async function pickOption(page: Page, selectLabel: string, option: string): Promise<void> {
  await page.locator(`vscode-single-select[label="${selectLabel}"]`).click();
  await page.locator(`vscode-single-select[label="${selectLabel}"] li`).filter({ hasText: new RegExp(`^\\s*${option}\\s*$`) }).click();
}

const finished = (status: JobResult['status'], exitCode: number, durationMs = 1200): JobResult => ({ status, exitCode, signal: null, durationMs, finishedAt: Date.now() });

function job(title: string, over: Partial<JobInfo> = {}): JobInfo {
  const [alias, target] = title.split(' ');
  return newJob({ title, alias, target, argv: ['make', '-C', `/src/${alias}`, target!], cwd: `/src/${alias}`, startedAt: Date.now(), ...over });
}

async function scenario(database: string, name: string): Promise<void> {
  assert.ok(existsSync(path.join(ROOT, 'dist/webview/dashboard.js')), 'dist/webview/dashboard.js is missing: run `npm run build` first');
  const shots = path.join(resultsDirFor('dashboard'), name);
  mkdirSync(shots, { recursive: true });
  const hub = await startHub(database);

  // The page and its files need no token and carry the page's security headers; the API still needs one.
  const page0 = await fetch(`${hub.url}/`);
  assert.equal(page0.status, 200);
  const csp = page0.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self'/);
  assert.match(csp, /connect-src 'self' ws:\/\/127\.0\.0\.1:\d+/);
  assert.equal(page0.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(page0.headers.get('referrer-policy'), 'no-referrer');
  assert.equal((await fetch(`${hub.url}/dashboard/dashboard.js`)).status, 200);
  assert.equal((await fetch(`${hub.url}/dashboard/tokens`)).status, 404);
  assert.equal((await fetch(`${hub.url}/api/jobs`)).status, 401);
  assert.equal((await fetch(`${hub.url}/`, { method: 'POST' })).status, 405);
  assert.equal((await fetch(`${hub.url}/`, { headers: { origin: 'http://evil.example' } })).status, 403);

  // History from before the page opened.
  const r = reporter(hub.url);
  const built = job('web build', { startedAt: Date.now() - 120_000 });
  const tested = job('api test', { startedAt: Date.now() - 60_000 });
  const logs = job('prod/db1 logs', { kind: 'ssh-logs', alias: undefined, target: undefined, vm: 'prod/db1', argv: ['ssh', 'db1', 'journalctl', '-f'], startedAt: Date.now() - 30_000 });
  for (const [j, result] of [
    [built, finished('success', 0)],
    [tested, finished('failed', 2)],
    [logs, finished('canceled', 130)],
  ] as const) {
    r.started(j);
    r.chunks(j.id, lines(0, 3));
    r.finished(j.id, result);
  }
  assert.ok(await r.idle(15_000), 'the reporter stored the earlier jobs');

  const browser = await launch();
  const { page, sent, errors } = await newPage(browser, 'light');
  await page.goto(`${hub.url}/#token=${VIEWER}`);
  await waitForRows(page, (l) => l.length === 3, 'the three earlier jobs');
  assert.ok(!page.url().includes(VIEWER), `the token is taken out of the address bar: ${page.url()}`);
  assert.deepEqual((await rowLabels(page)).map((l) => l.split(',')[0]), ['Canceled', 'Failed', 'Succeeded']);
  await page.screenshot({ path: path.join(shots, '1-history.png') });

  // A job starts while the page is open: it shows up as running.
  const deploy = job('web deploy');
  r.started(deploy);
  r.chunks(deploy.id, lines(0, 50));
  await waitForRows(page, (l) => l.length === 4 && l[0]!.startsWith('Running, target, web deploy'), 'the new job running');
  assert.ok(await r.idle(15_000));

  // Its output replays, then goes on live.
  await page.locator('table[aria-label="Jobs"] tbody tr').first().click();
  const log = page.locator('section.replay');
  await log.getByText('line 49', { exact: true }).waitFor();
  await log.getByText('Running', { exact: true }).waitFor();
  r.chunks(deploy.id, lines(50, 50));
  await log.getByText('line 99', { exact: true }).waitFor();
  await page.screenshot({ path: path.join(shots, '2-running-replay.png') });

  // It ends: the row and the header say how.
  r.finished(deploy.id, finished('failed', 3, 4000));
  const ended = await waitForRows(page, (l) => l[0]!.startsWith('Failed, target, web deploy'), 'the job failed');
  assert.match(ended[0]!, /exit code 3/);
  // The row's duration heard live gives way to the stored one too.
  await waitForRows(page, (l) => l[0]!.includes('took 4.0 s'), 'the stored duration in the row');
  await log.getByText('Failed', { exact: true }).waitFor();
  await log.getByText('exit code 3').waitFor();
  // The duration heard live gives way to the stored one (the reporter's 4000 ms) once it is written.
  await log.getByText('4.0 s', { exact: true }).waitFor();
  await page.screenshot({ path: path.join(shots, '3-ended.png') });

  // Filters narrow the table: status, then text in the command, type, project; Clear shows all again.
  await pickOption(page, 'Status', 'Failed');
  await waitForRows(page, (l) => l.length === 2 && l.every((x) => x.startsWith('Failed')), 'only failed jobs');
  await page.getByRole('textbox', { name: 'Text in the command' }).fill('deploy');
  await waitForRows(page, (l) => l.length === 1 && l[0]!.includes('web deploy'), 'only the failed deploy');
  await page.screenshot({ path: path.join(shots, '4-filtered.png') });
  await page.locator('vscode-button', { hasText: 'Clear' }).click();
  await waitForRows(page, (l) => l.length === 4, 'every job again');
  await pickOption(page, 'Type', 'SSH logs');
  await waitForRows(page, (l) => l.length === 1 && l[0]!.includes('prod/db1 logs'), 'only the ssh-logs job');
  await page.locator('vscode-button', { hasText: 'Clear' }).click();
  await page.getByRole('textbox', { name: 'Project alias' }).fill('api');
  await waitForRows(page, (l) => l.length === 1 && l[0]!.includes('api test'), 'only the api project');
  await page.getByRole('textbox', { name: 'Started from (date)' }).fill('2999-01-01');
  await waitForRows(page, (l) => l.length === 0, 'nothing started in 2999');
  await page.locator('table[aria-label="Jobs"] + .more, .more').filter({ hasText: 'No jobs match these filters' }).waitFor();
  assert.ok(sent.some((f) => f.includes('jobs:list')), 'the page read the history over Socket.io');
  assert.deepEqual(errors, [], 'no errors in the page');
  await page.context().close();

  // A wrong token (in a dark page): the login form with an error, nothing read; then the right one typed in.
  const wrong = await newPage(browser, 'dark');
  await wrong.page.goto(`${hub.url}/#token=wrong-token-0123456789abcdef`);
  await wrong.page.getByText('The hub did not accept this token.').waitFor();
  await wrong.page.screenshot({ path: path.join(shots, '5-wrong-token.png') });
  assert.equal(await wrong.page.locator('table').count(), 0);
  assert.ok(!wrong.sent.some((f) => f.includes('jobs:')), `no query was sent: ${wrong.sent.join(' | ')}`);
  assert.ok(!wrong.received.some((f) => f.includes(deploy.id) || f.includes('web deploy')), 'no job came back');
  assert.equal(await wrong.page.evaluate('sessionStorage.length'), 0, 'a refused token is not kept');
  assert.ok(!wrong.page.url().includes('wrong-token'));
  await wrong.page.getByRole('textbox', { name: 'Hub token' }).fill(VIEWER);
  await wrong.page.keyboard.press('Enter');
  await waitForRows(wrong.page, (l) => l.length === 4, 'the jobs after signing in');
  // The tab keeps the token: a reload signs in again without asking.
  await wrong.page.reload();
  await waitForRows(wrong.page, (l) => l.length === 4, 'the jobs after a reload');
  await wrong.page.screenshot({ path: path.join(shots, '6-signed-in.png') });

  // A long finished job opens at its end; scrolling up reads the rest from the hub, back to its first line.
  const flood = job('web flood');
  r.started(flood);
  for (let seq = 0; seq < FLOOD_LINES / 100; seq++) r.chunks(flood.id, [{ seq, ts: Date.now(), stream: 'stdout', text: floodText(seq * 100, 100) }]);
  r.finished(flood.id, finished('success', 0));
  assert.ok(await r.idle(30_000), 'the reporter stored the long job');
  await waitForRows(wrong.page, (l) => l.length === 5 && l[0]!.startsWith('Succeeded, target, web flood'), 'the long job');
  await wrong.page.locator('table[aria-label="Jobs"] tbody tr').first().click();
  const replay = wrong.page.locator('section.replay');
  await replay.getByText(`flood line ${FLOOD_LINES - 1}`, { exact: true }).waitFor();
  assert.equal(await replay.getByText('flood line 0', { exact: true }).count(), 0, 'the first line is not read when the job opens');
  assert.ok(wrong.sent.some((f) => f.includes('"beforeSeq":"end"')), 'the page read the end of the job');
  const lineZero = replay.getByText('flood line 0', { exact: true });
  for (let i = 0; i < 100 && (await lineZero.count()) === 0; i++) {
    await replay.locator('.log').first().hover();
    await wrong.page.mouse.wheel(0, -1_000_000);
    await wrong.page.waitForTimeout(200);
  }
  await lineZero.waitFor();
  await replay.getByText('flood line 1', { exact: true }).waitFor();
  const olderPages = wrong.sent.filter((f) => f.includes('jobs:events') && /"beforeSeq":\d+/.test(f)).length;
  assert.ok(olderPages >= 2, `older output came a page at a time (${olderPages} pages)`);
  await wrong.page.screenshot({ path: path.join(shots, '7-long-job-top.png') });
  assert.deepEqual(wrong.errors.filter((e) => !/401|unauthorized/i.test(e)), []);
}

/** About 1 MB of output, which the page would read whole if it replayed the job from its start. */
const FLOOD_LINES = 60_000;
const floodText = (from: number, count: number): string => Array.from({ length: count }, (_, i) => `flood line ${from + i}\n`).join('');

test('the dashboard on a hub with PGlite', TIMEOUT, () => scenario(path.join(folder(), 'db'), 'pglite'));

test('the dashboard on a hub with PostgreSQL', { ...TIMEOUT, skip: postgresAvailable() ? false : NO_POSTGRES }, async () => {
  const pg = (await startTestPostgres()) as TestPostgres;
  cleanups.push(() => pg.close());
  await scenario(await pg.createDatabase(), 'postgres');
});

/** Waits until the hub's API answers `apiPath` with what `done` wants. */
async function untilApi<T>(hubUrl: string, apiPath: string, done: (body: T) => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await fetch(`${hubUrl}/${apiPath}`, { headers: { authorization: `Bearer ${VIEWER}` } });
    if (res.ok && done((await res.json()) as T)) return;
    if (Date.now() > deadline) throw new Error(`The hub did not have ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// What "Open Dashboard" opens in code-server: the page at code-server's /proxy/<hub port>/, which
// vscode.env.asExternalUri gives for the hub's address. Its files, its API reads and its Socket.io
// connection all go through the proxy, which passes the browser's Host on.
test('the dashboard through code-server\'s /proxy/<port>/', TIMEOUT, async () => {
  assert.ok(existsSync(path.join(ROOT, 'dist/webview/dashboard.js')), 'dist/webview/dashboard.js is missing: run `npm run build` first');
  const shots = path.join(resultsDirFor('dashboard'), 'code-server-proxy');
  mkdirSync(shots, { recursive: true });
  const hub = await startHub(path.join(folder(), 'db'));
  const server = await startCodeServer({ workspace: folder(), home: folder(), installExtension: false });
  cleanups.push(() => server.stop());
  const proxied = `${server.url}proxy/${new URL(hub.url).port}/`;

  const page0 = await fetch(proxied);
  assert.equal(page0.status, 200);
  const csp = page0.headers.get('content-security-policy') ?? '';
  assert.ok(csp.includes(`connect-src 'self' ws://127.0.0.1:${server.port} wss://127.0.0.1:${server.port};`), csp);
  assert.ok(csp.includes(`default-src 'none'`) && csp.includes(`script-src 'self';`), csp);
  assert.equal((await fetch(`${proxied}dashboard/dashboard.js`)).status, 200);
  // Through the proxy as directly: the API wants a token, and a page of another origin is refused.
  assert.equal((await fetch(`${proxied}api/jobs`)).status, 401);
  assert.equal((await fetch(`${proxied}api/jobs`, { headers: { origin: 'http://evil.example', authorization: `Bearer ${VIEWER}` } })).status, 403);

  const r = reporter(hub.url);
  r.catalog({ projects: [{ alias: 'web', dir: '/src/web', targets: [{ name: 'deploy' }] }], vms: [] });
  const built = job('web build', { startedAt: Date.now() - 60_000 });
  r.started(built);
  r.chunks(built.id, lines(0, 3));
  r.finished(built.id, finished('success', 0));
  assert.ok(await r.idle(15_000), 'the reporter stored the earlier job');
  await untilApi<{ projects: { alias: string }[] }>(hub.url, 'api/projects', (b) => b.projects.some((p) => p.alias === 'web'), 'the catalog');

  const browser = await launch();
  const { page, sent, errors } = await newPage(browser, 'light');
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  await page.goto(`${proxied}#token=${VIEWER}`);
  await waitForRows(page, (l) => l.length === 1 && l[0]!.startsWith('Succeeded, target, web build'), 'the earlier job');
  assert.equal(page.url(), proxied, 'the token is taken out of the address bar, the page stays under the proxy');

  // A job starts while the page is open: it shows up live, and its output replays.
  const deploy = job('web deploy');
  r.started(deploy);
  r.chunks(deploy.id, lines(0, 20));
  await waitForRows(page, (l) => l.length === 2 && l[0]!.startsWith('Running, target, web deploy'), 'the new job running');
  await page.locator('table[aria-label="Jobs"] tbody tr').first().click();
  const log = page.locator('section.replay');
  await log.getByText('line 19', { exact: true }).waitFor();
  await log.getByText('Running', { exact: true }).waitFor();
  assert.ok(sent.some((f) => f.includes('jobs:list')), 'the page read the history over Socket.io');
  const socketPath = `ws://127.0.0.1:${server.port}/proxy/${new URL(hub.url).port}/socket.io/`;
  assert.ok(sockets.some((u) => u.startsWith(socketPath)), `the WebSocket went through the proxy: ${sockets.join(' ')}`);
  await page.screenshot({ path: path.join(shots, '1-live-job.png') });

  // Run…: the dialog reads the catalog through the proxied API.
  await page.locator('vscode-button', { hasText: 'Run…' }).click();
  await page.locator('vscode-single-select[label="Target"] vscode-option', { hasText: 'deploy' }).waitFor({ state: 'attached' });
  assert.equal(await page.locator('dialog.run [role="alert"]').count(), 0, 'no error reading the catalog');
  await page.screenshot({ path: path.join(shots, '2-run-dialog.png') });
  assert.deepEqual(errors, [], 'no errors in the page');
});
