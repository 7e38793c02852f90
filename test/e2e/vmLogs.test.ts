// The VM logs acceptance test, as a user sees it in Chromium: a VM of the workspace's vm-config
// is reached through a real sshd on 127.0.0.1 (the client config the product reads and passes to
// `ssh -F` maps the VM's host to the server); clicking the user's own `tail -F` preset opens a
// console tab that shows the file's last lines and every line the test appends, once and in
// order, also across a dropped connection; Cancel stops the remote tail, and so does closing the
// tab (the job ends canceled). With an unknown host key
// the job ends at once and a warning offers to open an SSH terminal. A target of a registered
// project runs "on the VM" (its context in the environment) from the palette and by a drop.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Frame } from 'playwright-core';
import { formatRows, Workbench } from '../harness/browser';
import { sessionHub, startCodeServer, type CodeServer } from '../harness/codeServer';
import { readConsoleTab, readyToJudge, type ConsoleTabView } from '../harness/consoleTab';
import { FIXTURES_DIR, resultsDirFor } from '../harness/paths';
import { removeOnExit } from '../harness/processes';
import { saveArtifacts, withArtifacts } from '../harness/session';
import { sshdSkip, startSshd, type Sshd } from '../harness/sshd';

const FIXTURE_DIR = path.join(FIXTURES_DIR, 'e2e', 'vmlogs');
const CONTAINER = 'VM Orchestrator';
const ENV = 'lab';
const VM = 'lab-app-1';
const PRESET = 'app log';
const TITLE = `${VM} · ${PRESET}`;
/** A preset no follower resumes (`tail -f` without `-F`): it runs again after a dropped connection. */
const RERUN_PRESET = 'app log (tail -f)';
const RERUN_TITLE = `${VM} · ${RERUN_PRESET}`;
const SHOTS = resultsDirFor('vmlogs');
/** The project registered with mkcli, and its target that reaches the VM with the context it is given. */
const ALIAS = 'vmtest';
const VM_TARGET = 'remote-hostname';
const VM_TARGET_TITLE = `${ALIAS} ${VM_TARGET} on ${VM}`;
/** A keybinding that runs the target for the second VM with an argument. */
const KEY = 'ctrl+alt+h';
const KEY_ARGS = { alias: ALIAS, target: VM_TARGET, args: ['GREETING=hi'], vm: `${ENV}/lab-app-2` };
/** A target that holds its VM until the test lets it go (the file `release` in the project), to see runs wait for it. */
const HOLD_TARGET = 'hold';
const HOLD_TITLE = `${ALIAS} ${HOLD_TARGET} on ${VM}`;
const MAKEFILE = [
  '.PHONY: remote-hostname hold',
  '## Prints the hostname of the VM it runs for',
  'remote-hostname:',
  '\t@ssh -F "$$VMO_SSH_CONFIG" -o BatchMode=yes "$$VMO_SSH_DEST" hostname',
  '\t@echo "vm=$$VMO_VM env=$$VMO_ENV role=$$VMO_VAR_role$(if $(GREETING), greeting=$(GREETING))"',
  '## Holds the VM until the file release is in the project (a minute at most)',
  'hold:',
  '\t@for i in $$(seq 600); do [ -e release ] && break; sleep 0.1; done',
  '\t@echo "held $$VMO_VM"',
  '',
].join('\n');
/** How long an appended line may take to show in the console. */
const LINE_LATENCY_MS = 2500;

interface Setup {
  sshd: Sshd;
  server: CodeServer;
  workbench: Workbench;
  /** The log file the preset tails, in the sshd's scratch folder (readable by the remote user). */
  logFile: string;
  /** The file whose presence lets the hold target end. */
  release: string;
  cleanup(): Promise<void>;
}

let setup: Setup | undefined;

function s(): Setup {
  if (!setup) throw new Error('the session did not start');
  return setup;
}

/** The sshd, a workspace with environments/lab/config.yml, code-server with the settings, Chromium. */
async function start(): Promise<Setup> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'vmo-vmlogs-'));
  const forget = removeOnExit(root);
  const home = path.join(root, 'home');
  const workspace = path.join(root, 'workspace');
  mkdirSync(home, { recursive: true });
  cpSync(path.join(FIXTURE_DIR, 'workspace'), workspace, { recursive: true });
  const project = path.join(root, 'project');
  mkdirSync(project);
  writeFileSync(path.join(project, 'Makefile'), MAKEFILE);
  mkdirSync(path.join(home, '.config', 'mkcli'), { recursive: true });
  writeFileSync(path.join(home, '.config', 'mkcli', 'registry'), `${ALIAS} ${project} 0.1.0\n`);

  let sshd: Sshd | undefined;
  let server: CodeServer | undefined;
  let workbench: Workbench | undefined;
  const cleanup = async (): Promise<void> => {
    await workbench?.close();
    await server?.stop();
    await sshd?.stop();
    rmSync(root, { recursive: true, force: true });
    forget();
  };
  try {
    sshd = await startSshd({ shells: ['/usr/bin/dash'] });
    sshd.writeKnownHosts('known');
    const logFile = path.join(sshd.scratchDir, `app-${randomUUID()}.log`);
    writeFileSync(logFile, Array.from({ length: 25 }, (_, i) => `old ${i + 1}\n`).join(''), { mode: 0o644 });
    const machineSettings = {
      'vmOrchestrator.ssh.configFile': sshd.configFile,
      'vmOrchestrator.logs.presets': [
        { name: PRESET, argv: ['tail', '-n', '20', '-F', logFile] },
        { name: RERUN_PRESET, argv: ['tail', '-n', '3', '-f', logFile] },
      ],
    };
    server = await startCodeServer({
      workspace,
      home,
      settings: {
        'workbench.colorTheme': 'Default Dark Modern',
        'terminal.integrated.gpuAcceleration': 'off',
        ...machineSettings,
      },
    });
    // A target on a key, as the README shows.
    writeFileSync(path.join(server.userDataDir, 'User', 'keybindings.json'), `${JSON.stringify([{ key: KEY, command: 'vmOrchestrator.runTarget', args: KEY_ARGS }], null, 2)}\n`);
    workbench = await Workbench.open(server.url, { viewport: { width: 1400, height: 900 } });
    return { sshd, server, workbench, logFile, release: path.join(project, 'release'), cleanup };
  } catch (err) {
    await saveArtifacts('vmlogs-start', server, workbench).catch(() => undefined);
    if (sshd) writeFileSync(path.join(resultsDirFor('vmlogs-start'), 'sshd.log'), sshd.log());
    await cleanup();
    throw err;
  }
}

/** Runs a test body; on failure keeps a screenshot, the logs and sshd's log under test-results/<name>/. */
function step(name: string, body: () => Promise<void>): Promise<void> {
  return withArtifacts(name, setup, body, (dir) => {
    if (setup) writeFileSync(path.join(dir, 'sshd.log'), setup.sshd.log());
  });
}

async function shot(name: string): Promise<void> {
  await s().workbench.screenshot(path.join(SHOTS, `${name}.png`));
}

function consoleFrame(timeoutMs = 20_000, title = TITLE): Promise<Frame> {
  return s().workbench.webviewFrame('header h1', { hasText: new RegExp(`^\\s*${title.replace(/[()]/g, '\\$&')}\\s*$`), timeoutMs });
}

async function readConsole(title = TITLE): Promise<ConsoleTabView> {
  return readConsoleTab(await consoleFrame(5000, title));
}

async function waitForConsole(predicate: (view: ConsoleTabView) => boolean, what: string, timeoutMs = 20_000, title = TITLE): Promise<ConsoleTabView> {
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
      throw new Error(`The console of ${title} did not show ${what} within ${timeoutMs} ms; it shows: ${JSON.stringify(last ?? null, null, 2)}`);
    }
    await s().workbench.page.waitForTimeout(100);
  }
}

/** GET `apiPath` of the session's hub until `ready` holds of the answer (the hub starts a while after the window). */
async function fromHub<T>(apiPath: string, ready: (answer: T) => boolean, what: string): Promise<T> {
  let last: unknown;
  for (const deadline = Date.now() + 30_000; ; await s().workbench.page.waitForTimeout(250)) {
    try {
      const hub = sessionHub(s().server.userDataDir);
      const answer = (await (await fetch(`${hub.url}${apiPath}`, { headers: { authorization: `Bearer ${hub.token}` } })).json()) as T;
      if (ready(answer)) return answer;
      last = answer;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`The hub's ${apiPath} did not show ${what}: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
  }
}

/** The rows that are lines of the log file (the test writes only `old N` and `new N`). */
function logLines(view: ConsoleTabView): string[] {
  return view.rows.filter((r) => /^(old|new) \d+$/.test(r));
}

/** `ps` lines of live processes (not zombies) of the remote test user running tail on the log file. */
function remoteTails(file: string): string[] {
  const users = s().sshd.users.map((u) => u.name);
  return execFileSync('ps', ['-eo', 'pid,stat,user:32,args'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([, stat, user, ...args]) => !stat?.startsWith('Z') && users.includes(user) && args.includes(file) && args.some((a) => /(^|\/)tail$/.test(a)))
    .map((fields) => fields.join(' '));
}

/** Appends `count` lines `new N…` one at a time; each is followed in the console until it shows. */
async function appendAndFollow(expected: string[], from: number, count: number): Promise<Array<{ text: string; latencyMs: number }>> {
  const results: Array<{ text: string; latencyMs: number }> = [];
  for (let i = 0; i < count; i++) {
    const text = `new ${from + i}`;
    const at = Date.now();
    appendFileSync(s().logFile, `${text}\n`);
    expected.push(text);
    await waitForConsole((v) => logLines(v).includes(text), `the appended line "${text}"`, 10_000);
    results.push({ text, latencyMs: Date.now() - at });
  }
  return results;
}

async function openPreset(): Promise<void> {
  const { workbench } = s();
  await workbench.openViewContainer(CONTAINER);
  await workbench.expandTreeItem('VMs', VM);
  await workbench.waitForTreeRows('VMs', (rows) => rows.some((r) => r.label === PRESET));
  await workbench.clickTreeItem('VMs', PRESET);
}

describe('VM logs over a real sshd', { skip: sshdSkip }, () => {
  before(async () => {
    setup = await start();
    const { workbench } = s();
    await workbench.openViewContainer(CONTAINER);
    await workbench.setSideBarWidth(440);
    const rows = await workbench.waitForTreeRows('VMs', (r) => r.some((row) => row.label === VM));
    assert.ok(rows.some((r) => r.label === ENV), `the VMs view lists the environment ${ENV}:\n${formatRows(rows)}`);
  }, { timeout: 180_000 });

  after(async () => {
    await setup?.cleanup();
  }, { timeout: 60_000 });

  test('In the real VS Code: open a VM\'s log tab from the tree and see lines the test appends appear in it', { timeout: 150_000 }, () =>
    step('vmlogs-stream', async () => {
      const { workbench, sshd, logFile } = s();
      await workbench.expandTreeItem('VMs', VM);
      const rows = await workbench.waitForTreeRows('VMs', (r) => r.some((row) => row.label === PRESET));
      const vmRow = rows.find((r) => r.label === VM);
      assert.match(vmRow?.description ?? '', /· ssh testvm$/, `the VM maps to the Host alias testvm of the client config:\n${formatRows(rows)}`);
      for (const preset of ['docker logs', 'journalctl', 'syslog', PRESET]) {
        assert.ok(rows.some((r) => r.label === preset && r.level === 3), `the VM offers the preset "${preset}":\n${formatRows(rows)}`);
      }
      await shot('01-tree');

      await workbench.clickTreeItem('VMs', PRESET);
      const expected = Array.from({ length: 20 }, (_, i) => `old ${i + 6}`);
      const first = await waitForConsole((v) => logLines(v).length >= 20, 'the last 20 lines of the file', 30_000);
      assert.equal(first.status, 'Running', `the log tab runs: ${JSON.stringify(first)}`);
      assert.deepEqual(logLines(first), expected, 'the console shows the file\'s last 20 lines, in order');
      assert.ok((await workbench.activeEditorTab())?.startsWith(TITLE), `the active tab is titled "${TITLE}": ${await workbench.activeEditorTab()}`);
      await shot('02-last-lines');

      const appended = await appendAndFollow(expected, 1, 5);
      for (const { text, latencyMs } of appended) {
        assert.ok(latencyMs < LINE_LATENCY_MS, `"${text}" showed after ${latencyMs} ms (limit ${LINE_LATENCY_MS} ms)`);
      }
      const afterAppend = await readConsole();
      assert.deepEqual(logLines(afterAppend), expected, 'each appended line shows once, in order');
      await shot('03-appended');
      console.log(`latencies: ${appended.map((a) => `${a.text}=${a.latencyMs}ms`).join(', ')}`);

      // A dropped connection: the sshd serving the tail is killed.
      assert.ok(remoteTails(logFile).length > 0, 'ps shows the remote tail while the log tab runs');
      assert.equal(sshd.killSessions(path.basename(logFile)), 1, 'one sshd session serves the tail');
      const lost = await waitForConsole((v) => v.rows.some((r) => /Connection lost/.test(r)), 'a note that the connection was lost', 10_000);
      assert.equal(lost.status, 'Running', `the tab keeps running while it reconnects: ${JSON.stringify(lost)}`);
      // Lines written while disconnected, then after the reconnect.
      appendFileSync(logFile, 'new 6\nnew 7\n');
      expected.push('new 6', 'new 7');
      const reconnected = await waitForConsole((v) => v.rows.some((r) => /^Reconnected\./.test(r)), 'the reconnect note', 20_000);
      await shot('04-reconnected');
      const notes = reconnected.rows.filter((r) => /Connection lost|Reconnected/.test(r));
      assert.match(notes[0] ?? '', /^Connection lost.*reconnecting in [\d.]+ s\.$/, `the note says the connection was lost and when it reconnects: ${JSON.stringify(notes)}`);
      const more = await appendAndFollow(expected, 8, 3);
      for (const { text, latencyMs } of more) {
        assert.ok(latencyMs < LINE_LATENCY_MS, `after the reconnect, "${text}" showed after ${latencyMs} ms (limit ${LINE_LATENCY_MS} ms)`);
      }
      const resumed = await waitForConsole((v) => logLines(v).length >= expected.length, 'every line', 5000);
      assert.deepEqual(logLines(resumed), expected, `after the reconnect the log continues without gaps or repeats; rows: ${JSON.stringify(resumed.rows)}`);
      await shot('05-after-reconnect');

      // Cancel from the console toolbar.
      const frame = await consoleFrame();
      const cancel = frame.getByRole('button', { name: 'Cancel', exact: true });
      await cancel.waitFor({ state: 'visible', timeout: 10_000 });
      await cancel.click();
      const canceled = await waitForConsole((v) => v.status !== 'Running', 'the job ending after Cancel', 15_000);
      assert.equal(canceled.status, 'Canceled', `the header shows the log tab as canceled: ${JSON.stringify(canceled.status)}`);
      const deadline = Date.now() + 5000;
      let left = remoteTails(logFile);
      while (left.length > 0 && Date.now() < deadline) {
        await workbench.page.waitForTimeout(200);
        left = remoteTails(logFile);
      }
      assert.deepEqual(left, [], 'ps shows no remote tail of the log file after Cancel');
      assert.deepEqual(sshd.processesWith(path.basename(logFile)), [], 'no process of the remote user still has the log file open');
      await shot('06-canceled');
    }),
  );

  test('closing a log tab stops its follower: the job ends canceled and the remote tail is gone', { timeout: 90_000 }, () =>
    step('vmlogs-close-tab', async () => {
      const { workbench, logFile } = s();
      await workbench.runCommand('View: Close All Editors');
      const canceledBefore = (await workbench.waitForTreeRows('Jobs', () => true)).filter((r) => r.label === TITLE && r.description.startsWith('canceled')).length;
      await openPreset();
      await waitForConsole((v) => v.status === 'Running' && logLines(v).length >= 20, 'the log running again', 30_000);
      for (const deadline = Date.now() + 10_000; remoteTails(logFile).length === 0; await workbench.page.waitForTimeout(200)) {
        if (Date.now() > deadline) throw new Error('ps shows no remote tail while the log tab runs');
      }
      await workbench.waitForTreeRows('Jobs', (r) => r.some((row) => row.label === TITLE && row.description.startsWith('running')), 10_000);
      await shot('07-before-close');

      // The user closes the tab, as with its ×: nothing else is clicked.
      assert.ok((await workbench.activeEditorTab())?.startsWith(TITLE), `the log tab is the active one: ${await workbench.activeEditorTab()}`);
      await workbench.runCommand('View: Close Editor');
      const jobs = await workbench.waitForTreeRows(
        'Jobs',
        (r) => !r.some((row) => row.label === TITLE && row.description.startsWith('running')) && r.filter((row) => row.label === TITLE && row.description.startsWith('canceled')).length === canceledBefore + 1,
        15_000,
      );
      assert.ok(jobs.length > 0, formatRows(jobs));
      let left = remoteTails(logFile);
      for (const deadline = Date.now() + 5000; left.length > 0 && Date.now() < deadline; left = remoteTails(logFile)) await workbench.page.waitForTimeout(200);
      assert.deepEqual(left, [], 'ps shows no remote tail of the log file after the tab was closed');
      assert.deepEqual(s().sshd.processesWith(path.basename(logFile)), [], 'no process of the remote user still has the log file open');
      await shot('08-closed');
    }),
  );

  test('a preset of any command opens and follows; after a dropped connection it runs again and the tab says lines may repeat', { timeout: 90_000 }, () =>
    step('vmlogs-any-command', async () => {
      const { workbench, sshd, logFile } = s();
      await workbench.runCommand('View: Close All Editors');
      await workbench.openViewContainer(CONTAINER);
      await workbench.expandTreeItem('VMs', VM);
      await workbench.waitForTreeRows('VMs', (rows) => rows.some((r) => r.label === RERUN_PRESET));
      await workbench.clickTreeItem('VMs', RERUN_PRESET);
      const shown = await waitForConsole((v) => v.status === 'Running' && logLines(v).length >= 3, 'the last 3 lines', 30_000, RERUN_TITLE);
      const last3 = logLines(shown);
      appendFileSync(logFile, 'new 100\n');
      await waitForConsole((v) => logLines(v).includes('new 100'), 'an appended line', 10_000, RERUN_TITLE);
      assert.equal(sshd.killSessions(path.basename(logFile)), 1, 'one sshd session serves the tail');
      const again = await waitForConsole((v) => v.rows.some((r) => /^Reconnected\. This command cannot resume where it stopped: it runs again, and lines may repeat\.$/.test(r)), 'the note that lines may repeat', 20_000, RERUN_TITLE);
      await shot('09-any-command-reconnected');
      // It ran again: its last 3 lines (new 100 among them) come once more.
      const rerun = await waitForConsole((v) => logLines(v).length >= last3.length + 1 + 3, 'the lines of the second run', 10_000, RERUN_TITLE);
      assert.deepEqual(logLines(rerun).slice(0, last3.length + 1), [...last3, 'new 100'], JSON.stringify(again.rows));
      assert.equal(logLines(rerun).at(-1), 'new 100');
      await workbench.runCommand('View: Close Editor');
    }),
  );

  test('Check VMs: the VM is reachable with its round trip; re-keyed, its host key changed; stopped, refused', { timeout: 120_000 }, () =>
    step('vmlogs-reachability', async () => {
      const { workbench, sshd } = s();
      await workbench.openViewContainer(CONTAINER);
      const vmRow = async (state: RegExp, what: string) => {
        // A command run while the palette still closes may be dropped: run it again.
        for (let attempt = 1; ; attempt++) {
          await workbench.runCommand('VM Orchestrator: Check VMs');
          try {
            const rows = await workbench.waitForTreeRows('VMs', (r) => r.some((row) => row.label === VM && state.test(row.ariaLabel)), 15_000);
            return rows.find((row) => row.label === VM)!;
          } catch (err) {
            if (attempt === 3) throw new Error(`The VM row did not say ${what}: ${(await workbench.treeRows('VMs')).map((r) => r.ariaLabel).join(' | ')}`, { cause: err });
          }
        }
      };
      sshd.writeKnownHosts('known');
      const up = await vmRow(/, reachable in \d+ ms$/, 'reachable');
      assert.match(up.ariaLabel, new RegExp(`^${VM}, `));
      await shot('10-reachable');
      sshd.writeKnownHosts('changed');
      await vmRow(/, changed host key$/, 'changed host key');
      await shot('11-changed-host-key');
      sshd.writeKnownHosts('known');
      // Its sshd stopped: refused; started again: reachable.
      await sshd.stopListening();
      try {
        await vmRow(/, refused$/, 'refused');
        await shot('11b-refused');
      } finally {
        await sshd.listenAgain();
      }
      await vmRow(/, reachable in \d+ ms$/, 'reachable again');
      sshd.writeKnownHosts('changed');
      await vmRow(/, changed host key$/, 'changed host key');
      sshd.writeKnownHosts('known');

      // The window reports the last state to its hub: /api/vms shows it, and when it was checked.
      let vms: Array<{ name: string; reachability?: { reachable: boolean; label: string; message?: string; checkedAt: number } }> = [];
      let lastError: unknown;
      for (const deadline = Date.now() + 30_000; !vms.some((v) => v.name === VM && v.reachability?.label === 'changed host key'); await workbench.page.waitForTimeout(250)) {
        if (Date.now() > deadline) throw new Error(`/api/vms did not show the changed host key: ${JSON.stringify(vms)}`, { cause: lastError });
        try {
          // The hub starts after the window opened; until then it has no state file.
          const hub = sessionHub(s().server.userDataDir);
          const response = await fetch(`${hub.url}/api/vms`, { headers: { authorization: `Bearer ${hub.token}` } });
          vms = ((await response.json()) as { vms: typeof vms }).vms;
        } catch (err) {
          lastError = err;
        }
      }
      const stored = vms.find((v) => v.name === VM)!.reachability!;
      assert.equal(stored.reachable, false);
      assert.match(stored.message ?? '', /host key of .* has changed/);
      assert.ok(Math.abs(Date.now() - stored.checkedAt) < 120_000, `checked at ${new Date(stored.checkedAt).toISOString()}`);
    }),
  );

  test('Run Target on VM: the target reaches the VM it runs for, the history\'s VM filter lists it, and a dropped target runs once confirmed', { timeout: 150_000 }, () =>
    step('vmlogs-target-on-vm', async () => {
      const { workbench, sshd } = s();
      sshd.writeKnownHosts('known');
      await workbench.runCommand('View: Close All Editors');
      await workbench.openViewContainer(CONTAINER);
      await workbench.runCommand('VM Orchestrator: Run Target on VM…', { asks: true });
      await workbench.pickQuickItem('Pick a project', ALIAS);
      await workbench.pickQuickItem('Pick a target', VM_TARGET);
      await workbench.pickQuickItem(`Run ${ALIAS} ${VM_TARGET} on which VM?`, VM);
      // `hostname` ran over ssh on the VM (the test sshd is this machine), with the VM's context.
      const done = await waitForConsole((v) => v.status === 'Succeeded', 'the target succeeding', 30_000, VM_TARGET_TITLE);
      assert.ok(done.rows.includes(os.hostname()), `the VM's hostname is printed: ${JSON.stringify(done.rows)}`);
      assert.ok(done.rows.includes(`vm=${VM} env=${ENV} role=app`), `the VM's name, environment and vars are in the environment: ${JSON.stringify(done.rows)}`);
      assert.ok(done.rows.some((r) => r.startsWith(`for VM ${ENV}/${VM} · VMO_SSH_DEST=`)), 'the job log says which VM and destination');
      await workbench.waitForTreeRows('Jobs', (r) => r.some((row) => row.label === VM_TARGET_TITLE && row.description.startsWith('success')), 20_000);
      await shot('12-target-on-vm');

      // The history's VM filter finds it, as a target run for that VM.
      await workbench.runCommand('VM Orchestrator: Show Job History');
      const history = (): Promise<Frame> => workbench.webviewFrame('table[aria-label="Jobs"]', { timeoutMs: 30_000 });
      await (await history()).locator('vscode-textfield[title^="VM as environment/name"] input').fill(`${ENV}/${VM}`);
      let rows: string[] = [];
      for (const deadline = Date.now() + 30_000; ; await workbench.page.waitForTimeout(250)) {
        try {
          rows = await (await history()).locator('table[aria-label="Jobs"] tbody tr').evaluateAll((trs) => trs.map((r) => r.getAttribute('aria-label') ?? ''));
          if (rows.some((r) => r.startsWith('Succeeded, target on vm, ' + VM_TARGET_TITLE))) break;
        } catch {
          // The webview was being rebuilt.
        }
        if (Date.now() > deadline) throw new Error(`The history's VM filter did not list the target on the VM:\n${rows.join('\n')}`);
      }
      assert.ok(rows.every((r) => r.includes(`${ENV}/${VM}`)), `only jobs of the VM:\n${rows.join('\n')}`);
      await shot('13-history-vm-filter');
      await workbench.runCommand('View: Close All Editors');

      // Dragged from Projects onto the VM, the target runs once the user confirms.
      await workbench.expandTreeItem('Projects', ALIAS);
      const source = await workbench.revealTreeItem('Projects', VM_TARGET);
      const onto = await workbench.revealTreeItem('VMs', VM);
      await workbench.dragTo(source, onto);
      const dialog = workbench.page.locator('.monaco-dialog-box').filter({ hasText: `Run ${ALIAS} ${VM_TARGET} on ${ENV}/${VM}?` });
      await dialog.waitFor({ state: 'visible', timeout: 15_000 });
      await shot('14-drop-confirm');
      await dialog.locator('.monaco-button', { hasText: /^Run$/ }).click();
      const again = await waitForConsole((v) => v.status === 'Succeeded', 'the dropped target succeeding', 30_000, VM_TARGET_TITLE);
      assert.ok(again.rows.includes(os.hostname()), JSON.stringify(again.rows));
    }),
  );

  test('A queue per VM: a second run on the same VM waits as queued and runs when the first ends; a canceled queued run never runs', { timeout: 150_000 }, () =>
    step('vmlogs-vm-queue', async () => {
      const { workbench, release } = s();
      rmSync(release, { force: true });
      await workbench.runCommand('View: Close All Editors');
      await workbench.openViewContainer(CONTAINER);
      // Every run has a tab of the same title, so a new run's console is told from the last one's by their count.
      const holdTabs = workbench.page.locator('.part.editor .tab').filter({ hasText: HOLD_TITLE });
      const runHold = async (expected: string): Promise<void> => {
        const tabsBefore = await holdTabs.count();
        await workbench.runCommand('VM Orchestrator: Run Target on VM…', { asks: true });
        await workbench.pickQuickItem('Pick a project', ALIAS);
        await workbench.pickQuickItem('Pick a target', HOLD_TARGET);
        await workbench.pickQuickItem(`Run ${ALIAS} ${HOLD_TARGET} on which VM?`, VM);
        // The palette is opened again only once this pick has closed and the run's console has
        // opened and taken the focus, which would close a palette opened meanwhile.
        await workbench.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
        await holdTabs.nth(tabsBefore).waitFor({ state: 'visible', timeout: 10_000 });
        await waitForConsole((v) => v.status === expected, `its run ${expected.toLowerCase()}`, 10_000, HOLD_TITLE);
      };
      const holds = (rows: Awaited<ReturnType<Workbench['treeRows']>>) => rows.filter((r) => r.label === HOLD_TITLE).map((r) => r.description.split(' · ')[0]);
      await runHold('Running');
      await runHold('Queued');
      await runHold('Queued');
      const waiting = await workbench.waitForTreeRows('Jobs', (r) => holds(r).filter((d) => d === 'queued').length === 2 && holds(r).includes('running'), 10_000);
      assert.ok(waiting.some((r) => r.label === HOLD_TITLE && r.description === `queued · waits for ${ENV}/${VM}`), formatRows(waiting));
      await shot('15-queued');

      // Cancel Job… lists the queued runs too; the first in line is canceled.
      const offered = await workbench.runCommandAndPick('VM Orchestrator: Cancel Job…', 'queued for');
      assert.equal(offered, 2, 'both queued runs are offered');
      await workbench.waitForTreeRows('Jobs', (r) => holds(r).includes('canceled'), 10_000);

      writeFileSync(release, '');
      const ended = await workbench.waitForTreeRows('Jobs', (r) => holds(r).filter((d) => d === 'success').length === 2, 45_000);
      assert.deepEqual(holds(ended).sort(), ['canceled', 'success', 'success'], formatRows(ended));

      // The hub stored them so: the second began only after the first ended; the canceled one never ran.
      type Stored = { status: string; startedAt: number; finishedAt?: number; lastSeq?: number };
      const { jobs: stored } = await fromHub<{ jobs: Stored[] }>(`/api/jobs?vm=${encodeURIComponent(`${ENV}/${VM}`)}&text=hold&limit=10`, (a) => a.jobs?.filter((j) => j.status !== 'running').length === 3, 'the three runs ended');
      const ran = stored.filter((j) => j.status === 'success').sort((a, b) => a.startedAt - b.startedAt);
      assert.equal(ran.length, 2, JSON.stringify(stored));
      assert.ok(ran[1].startedAt >= ran[0].finishedAt!, `the second began at ${ran[1].startedAt}, after the first ended at ${ran[0].finishedAt}`);
      const canceled = stored.find((j) => j.status === 'canceled');
      assert.ok(canceled && (canceled.lastSeq ?? -1) === -1, `the canceled run printed nothing: ${JSON.stringify(canceled)}`);
    }),
  );

  test('Run Target on Environment: one child job per VM under one parent, which sums them up', { timeout: 120_000 }, () =>
    step('vmlogs-environment-run', async () => {
      const { workbench } = s();
      await workbench.runCommand('View: Close All Editors');
      await workbench.openViewContainer(CONTAINER);
      await workbench.runCommand('VM Orchestrator: Run Target on Environment…', { asks: true });
      await workbench.pickQuickItem('Pick a project', ALIAS);
      await workbench.pickQuickItem('Pick a target', VM_TARGET);
      await workbench.pickQuickItem(`Run ${ALIAS} ${VM_TARGET} on every VM of which environment?`, ENV);
      const parentTitle = `${ALIAS} ${VM_TARGET} on ${ENV} (2 VMs)`;
      const summary = '2 of the VMs ran: all 2 succeeded.';
      const done = await waitForConsole((v) => v.status === 'Succeeded' && v.rows.includes(summary), 'the environment run succeeding', 45_000, parentTitle);
      for (const vm of ['lab-app-1', 'lab-app-2']) assert.ok(done.rows.some((r) => r.startsWith(`${vm}: success in `)), JSON.stringify(done.rows));

      // In the Jobs view the VMs' jobs are under the parent.
      const rows = await workbench.waitForTreeRows('Jobs', (r) => r.filter((row) => row.level === 2 && row.description.startsWith('success')).length === 2, 20_000);
      const at = rows.findIndex((r) => r.label === parentTitle);
      assert.ok(at >= 0 && rows[at].level === 1 && rows[at].expanded === true, formatRows(rows));
      assert.deepEqual(rows.slice(at + 1, at + 3).map((r) => [r.label, r.level]), [[`${ALIAS} ${VM_TARGET} on lab-app-1`, 2], [`${ALIAS} ${VM_TARGET} on lab-app-2`, 2]], formatRows(rows));
      await shot('16-environment-run');

      // So does the history: the VMs' rows right under the parent's, indented.
      await workbench.runCommand('VM Orchestrator: Show Job History');
      let table: Array<{ label: string; child: boolean }> = [];
      for (const deadline = Date.now() + 30_000; ; await workbench.page.waitForTimeout(250)) {
        try {
          const frame = await workbench.webviewFrame('table[aria-label="Jobs"]', { timeoutMs: 10_000 });
          table = await frame.locator('table[aria-label="Jobs"] tbody tr').evaluateAll((trs) => trs.map((r) => ({ label: r.getAttribute('aria-label') ?? '', child: r.classList.contains('child') })));
          if (table.filter((r) => r.child).length === 2) break;
        } catch {
          // The webview was being rebuilt.
        }
        if (Date.now() > deadline) throw new Error(`The history did not nest the VMs' jobs: ${JSON.stringify(table)}`);
      }
      const parentRow = table.findIndex((r) => r.label.includes(parentTitle));
      assert.deepEqual(
        table.slice(parentRow, parentRow + 3).map((r) => r.child),
        [false, true, true],
        JSON.stringify(table),
      );
      assert.match(table[parentRow + 1].label, /on lab-app-1/);
      await shot('17-environment-history');
      await workbench.runCommand('View: Close All Editors');

      // Canceling the parent cancels every VM's job.
      rmSync(s().release, { force: true });
      await workbench.runCommand('VM Orchestrator: Run Target on Environment…', { asks: true });
      await workbench.pickQuickItem('Pick a project', ALIAS);
      await workbench.pickQuickItem('Pick a target', HOLD_TARGET);
      await workbench.pickQuickItem(`Run ${ALIAS} ${HOLD_TARGET} on every VM of which environment?`, ENV);
      const holdTitle = `${ALIAS} ${HOLD_TARGET} on ${ENV} (2 VMs)`;
      await waitForConsole((v) => v.rows.filter((r) => / started$/.test(r)).length === 2, 'both VMs started', 20_000, holdTitle);
      const frame = await consoleFrame(5000, holdTitle);
      await frame.getByRole('button', { name: /^Cancel/ }).first().click();
      const canceled = await waitForConsole((v) => v.status === 'Canceled' && v.rows.some((r) => r.startsWith('2 of the VMs ran: ')), 'the environment run canceled', 20_000, holdTitle);
      for (const vm of ['lab-app-1', 'lab-app-2']) assert.ok(canceled.rows.some((r) => r.startsWith(`${vm}: canceled in `)), JSON.stringify(canceled.rows));
      const after = await workbench.waitForTreeRows('Jobs', (r) => r.filter((row) => row.level === 2 && row.label.startsWith(`${ALIAS} ${HOLD_TARGET} on`) && row.description.startsWith('canceled')).length === 2, 20_000);
      assert.ok(after.some((r) => r.label === holdTitle && r.description.startsWith('canceled')), formatRows(after));

      // The hub stores each child with its parent, and its VM.
      type Stored = { id: string; kind: string; title: string; parentId?: string; vm?: string; status: string; exitCode?: number };
      const { jobs: stored } = await fromHub<{ jobs: Stored[] }>('/api/jobs?limit=20', (a) => a.jobs?.filter((j) => j.parentId !== undefined && j.status === 'success').length === 2, 'the two children');
      const parent = stored.find((j) => j.title === parentTitle);
      assert.deepEqual([parent?.kind, parent?.status, parent?.exitCode], ['environment', 'success', 0], JSON.stringify(parent));
      const children = stored.filter((j) => j.parentId === parent!.id).map((j) => [j.vm, j.status]).sort();
      assert.deepEqual(children, [[`${ENV}/lab-app-1`, 'success'], [`${ENV}/lab-app-2`, 'success']]);
    }),
  );

  test('The dashboard starts a run in the window when its user allowed runs from the hub, and says why not when not', { timeout: 150_000 }, () =>
    step('vmlogs-dashboard-run', async () => {
      const { workbench, server } = s();
      // The window lists a project's targets when it is expanded, and reports them to the hub.
      await workbench.openViewContainer(CONTAINER);
      await workbench.expandTreeItem('Projects', ALIAS);
      await fromHub<{ targets?: Array<{ name: string }> }>(`/api/projects/${ALIAS}/targets`, (a) => a.targets?.some((t) => t.name === VM_TARGET) ?? false, 'the targets in the catalog');
      type Stored = { title: string; status: string };
      const runs = `/api/jobs?vm=${encodeURIComponent(`${ENV}/${VM}`)}&text=remote-hostname&status=success&limit=100`;
      const before = (await fromHub<{ jobs: Stored[] }>(runs, (a) => Array.isArray(a.jobs), 'the jobs')).jobs.length;
      const hub = sessionHub(s().server.userDataDir, 'operator');
      const page = await workbench.page.context().newPage();
      try {
        await page.goto(`${hub.url}/#token=${hub.token}`);
        const openDialog = async () => {
          await page.getByRole('button', { name: 'Run…' }).click();
          const dialog = page.getByRole('dialog', { name: 'Run a target' });
          await dialog.waitFor();
          await dialog.locator('vscode-single-select[title="Target"]').getByText(VM_TARGET).first().waitFor({ state: 'attached' });
          await dialog.locator('vscode-single-select[title="VM"]').click();
          await dialog.getByRole('option', { name: new RegExp(`^${ENV}/${VM} — `) }).click();
          return dialog;
        };
        // Off (the default): refused, with the window's reason.
        let dialog = await openDialog();
        await dialog.getByRole('button', { name: 'Run' }).click();
        const refusal = await dialog.getByRole('alert').textContent({ timeout: 20_000 });
        assert.match(refusal ?? '', /does not take runs from the hub \(its user has not turned on vmOrchestrator\.hub\.acceptRuns\)/);
        await page.screenshot({ path: path.join(SHOTS, '18-dashboard-run-refused.png') });
        await dialog.getByRole('button', { name: 'Cancel' }).click();

        // On: the window's user is asked, with the exact command, and only a Run starts it; the
        // window says so, and the job is stored as usual.
        server.setMachineSettings({ 'vmOrchestrator.hub.acceptRuns': true });
        const question = workbench.page.locator('.monaco-dialog-box');
        // The window reads the changed setting within a moment: until then it still refuses.
        for (const deadline = Date.now() + 30_000; ; await page.waitForTimeout(1000)) {
          dialog = await openDialog();
          await dialog.getByRole('button', { name: 'Run' }).click();
          const outcome = await Promise.race([
            question.waitFor({ state: 'visible', timeout: 20_000 }).then(() => 'asked' as const),
            dialog.getByRole('alert').waitFor({ timeout: 20_000 }).then(() => 'refused' as const),
          ]);
          if (outcome === 'asked') break;
          if (Date.now() > deadline) throw new Error(`The run was still refused: ${await dialog.getByRole('alert').textContent()}`);
          await dialog.getByRole('button', { name: 'Cancel' }).click();
        }
        assert.equal(((await question.locator('.dialog-message-text').textContent()) ?? '').trim(), 'Run this, asked for through the hub?');
        const detail = (await question.locator('.dialog-message-detail').textContent()) ?? '';
        assert.match(detail, new RegExp(`^make .* ${VM_TARGET} for the VM ${ENV}/${VM}`), detail);
        assert.equal(await dialog.isVisible(), true, 'the dashboard waits for the answer');
        await workbench.screenshot(path.join(SHOTS, '19a-dashboard-run-asked.png'));
        await question.getByRole('button', { name: 'Run', exact: true }).click();
        await dialog.waitFor({ state: 'hidden', timeout: 20_000 });
        const note = await workbench.waitForNotification(/^Started from the hub: make /, 20_000);
        assert.match(note, new RegExp(`remote-hostname for the VM ${ENV}/${VM}$`));
        const { jobs } = await fromHub<{ jobs: Stored[] }>(runs, (a) => (a.jobs?.length ?? 0) === before + 1, 'the run, succeeded');
        assert.ok(jobs.every((j) => j.title === VM_TARGET_TITLE), JSON.stringify(jobs));
        await page.screenshot({ path: path.join(SHOTS, '19-dashboard-run-started.png') });
      } finally {
        server.setMachineSettings({});
        await page.close();
      }
    }),
  );

  test('a keybinding runs a target with its arguments for a VM through vmOrchestrator.runTarget', { timeout: 60_000 }, () =>
    step('vmlogs-keybinding', async () => {
      const { workbench } = s();
      await workbench.runCommand('View: Close All Editors');
      await workbench.openViewContainer(CONTAINER);
      await workbench.page.keyboard.press('Control+Alt+H');
      const title = `${ALIAS} ${VM_TARGET} on lab-app-2`;
      const done = await waitForConsole((v) => v.status === 'Succeeded', 'the target run by its key', 30_000, title);
      assert.ok(done.rows.includes(`vm=lab-app-2 env=${ENV} role=worker greeting=hi`), JSON.stringify(done.rows));
    }),
  );

  test('Pin to Favourites puts a target in a Favourites group at the top of Projects; Unpin takes it out', { timeout: 60_000 }, () =>
    step('vmlogs-favourites', async () => {
      const { workbench } = s();
      await workbench.runCommand('View: Close All Editors');
      await workbench.openViewContainer(CONTAINER);
      await workbench.expandTreeItem('Projects', ALIAS);
      const menu = async (label: string, item: string): Promise<void> => {
        // A menu that has just opened may ignore its first input: Enter on the item it points at.
        await (await workbench.revealTreeItem('Projects', label)).click({ button: 'right' });
        await workbench.page.locator('.monaco-menu .action-label', { hasText: item }).hover();
        await workbench.page.keyboard.press('Enter');
      };
      await menu(HOLD_TARGET, 'Pin to Favourites');
      const pinned = await workbench.waitForTreeRows('Projects', (r) => r[0]?.label === 'Favourites' && r[1]?.label === `${ALIAS} ${HOLD_TARGET}` && r[1].level === 2, 15_000);
      assert.ok(pinned.some((r) => r.label === HOLD_TARGET && r.level === 2), formatRows(pinned));
      await shot('20-favourites');
      await menu(`${ALIAS} ${HOLD_TARGET}`, 'Unpin Target');
      await workbench.waitForTreeRows('Projects', (r) => !r.some((row) => row.label === 'Favourites'), 15_000);
    }),
  );

  test('an unknown host key ends the log job and a warning offers "Open SSH Terminal"', { timeout: 90_000 }, () =>
    step('vmlogs-unknown-host-key', async () => {
      const { workbench, sshd, logFile } = s();
      sshd.writeKnownHosts('unknown');
      // A fresh tab: the previous one (same title) is closed first.
      await workbench.runCommand('View: Close All Editors');
      await openPreset();
      const ended = await waitForConsole((v) => v.status !== 'Running' && v.status !== '', 'the job ending', 20_000);
      assert.notEqual(ended.status, 'Canceled', `the job ended by itself: ${JSON.stringify(ended)}`);
      assert.deepEqual(logLines(ended), [], `no log line was shown: ${JSON.stringify(ended.rows)}`);

      const message = await workbench.waitForNotification(/host key of .* is not known yet/, 15_000);
      assert.match(message, new RegExp(`^${VM}: `), 'the warning names the VM');
      const toast = workbench.page.locator('.notifications-toasts .notification-toast').filter({ hasText: /is not known yet/ }).first();
      const buttons = (await toast.locator('.monaco-button').allTextContents()).map((b) => b.trim());
      assert.ok(buttons.includes('Open SSH Terminal'), `the warning offers "Open SSH Terminal": ${JSON.stringify(buttons)}`);
      const icon = toast.locator('.codicon-warning, .codicon-notifications-warning');
      assert.ok((await icon.count()) > 0, 'the notification is a warning');
      assert.deepEqual(remoteTails(logFile), [], 'no remote tail runs');
      await shot('09-unknown-host-key');
    }),
  );
});
