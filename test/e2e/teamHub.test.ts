// Team mode, as a user sets it up in Chromium: `vmOrchestrator.hub.url` names a shared hub, the
// editor asks for its operator token, *Set Hub Token* keeps it, and from then on jobs, output and
// the discovered projects (with their targets) are stored in that hub, where anyone with a
// token reads them. The hub is a real one on loopback with its own PGlite folder.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { formatRows } from '../harness/browser';
import { SAMPLE_PROJECTS } from '../harness/fixtures';
import { resultsDirFor } from '../harness/paths';
import { Session } from '../harness/session';
import { spawnHub, type HubProcess } from '../unit/server/helpers';

const OPERATOR = `team-operator-${process.pid}-0123456789abcdef`;
const VIEWER = `team-viewer-${process.pid}-0123456789abcdef`;
const SHOTS = resultsDirFor('team-hub');

let hub: HubProcess;
let hubDir: string;
let session: Session;

before(
  async () => {
    hubDir = mkdtempSync(path.join(os.tmpdir(), 'vmo-team-hub-'));
    const tokenFile = path.join(hubDir, 'tokens');
    writeFileSync(tokenFile, `viewer ${VIEWER}\noperator ${OPERATOR}\n`, { mode: 0o600 });
    hub = await spawnHub(['--port', '0', '--token-file', tokenFile, '--database', path.join(hubDir, 'db')]);
    session = await Session.start({
      name: 'team-hub',
      fixture: { projects: SAMPLE_PROJECTS },
      settings: { 'workbench.colorTheme': 'Default Dark Modern' },
      viewport: { width: 1280, height: 800 },
    });
  },
  { timeout: 180_000 },
);

after(
  async () => {
    await session?.close();
    await hub?.stop(5000);
    rmSync(hubDir, { recursive: true, force: true });
  },
  { timeout: 60_000 },
);

async function api(pathName: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${hub.url}${pathName}`, { headers: { authorization: `Bearer ${VIEWER}` } });
  assert.equal(res.status, 200, `${pathName}: ${res.status}`);
  return (await res.json()) as Record<string, unknown>;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('with hub.url set and the token given, jobs and the projects with their targets are stored in the shared hub', { timeout: 180_000 }, () =>
  session.step('team-hub', async () => {
    const { workbench, server } = session;
    // The extension starts with its views; until the settings below it reports to a hub of its own.
    await workbench.openViewContainer('VM Orchestrator');
    await workbench.waitForTreeRows('Projects', (rows) => rows.some((r) => r.label === 'web'));
    server.setMachineSettings({ 'vmOrchestrator.hub.url': hub.url });

    const warning = await workbench.waitForNotification(/needs an operator token/, 30_000);
    assert.match(warning, new RegExp(hub.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'the warning names the hub');
    await workbench.page.locator('.notification-toast').filter({ hasText: 'needs an operator token' }).getByRole('button', { name: 'Set Hub Token' }).click();
    const input = workbench.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible' });
    assert.equal(await input.getAttribute('type'), 'password', 'the token is typed into a password box');
    await input.fill(OPERATOR);
    await input.press('Enter');

    await workbench.expandTreeItem('Projects', 'web');
    await workbench.waitForTreeRows('Projects', (rows) => rows.some((r) => r.level === 2 && r.label === 'lint'));
    // Connected once the catalog (sent on connect) is there.
    const projects = await until('the projects in the hub', async () => {
      const body = (await api('/api/projects')) as { projects: Array<{ alias: string }> };
      return body.projects.length === SAMPLE_PROJECTS.length ? body.projects : undefined;
    });
    assert.deepEqual(projects.map((p) => p.alias).sort(), SAMPLE_PROJECTS.map((p) => p.alias).sort());
    const targets = await until('the targets of web in the hub', async () => {
      const body = (await api('/api/projects/web/targets')) as { targets: Array<{ name: string; description?: string }> };
      return body.targets.some((t) => t.name === 'lint') ? body.targets : undefined;
    });
    assert.equal(targets.find((t) => t.name === 'lint')?.description, 'Check formatting and common mistakes');

    await workbench.clickTreeItem('Projects', 'lint');
    const job = await until('the lint job stored as succeeded', async () => {
      const body = (await api('/api/jobs?alias=web')) as { jobs: Array<{ id: string; title: string; status: string }> };
      const lint = body.jobs.find((j) => j.title === 'web lint');
      return lint?.status === 'success' ? lint : undefined;
    });
    const events = (await api(`/api/jobs/${job.id}/events`)) as { chunks: Array<{ text: string }> };
    assert.match(events.chunks.map((c) => c.text).join(''), /no problems found/, 'the output is stored');

    const rows = await workbench.waitForTreeRows('Jobs', (r) => r.some((row) => row.label === 'web lint' && row.description.startsWith('success')));
    assert.ok(rows.length >= 1, formatRows(rows));
    await workbench.screenshot(path.join(SHOTS, 'team-hub.png'));
  }),
);
