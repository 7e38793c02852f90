// The first vertical slice, as a user sees it: the mkcli registry of the fixture HOME shows up in the
// Projects view of the VM Orchestrator side bar, and a project expands into its make targets.
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { formatRows, type TreeRow } from '../harness/browser';
import { SAMPLE_PROJECTS } from '../harness/fixtures';
import { RESULTS_DIR, ROOT } from '../harness/paths';
import { Session } from '../harness/session';

const CONTAINER = 'VM Orchestrator';
const VIEW = 'Projects';

let session: Session;

before(
  async () => {
    session = await Session.start({
      name: 'projects',
      fixture: { projects: SAMPLE_PROJECTS },
      settings: { 'workbench.colorTheme': 'Default Dark Modern' },
      viewport: { width: 1280, height: 800 },
    });
  },
  { timeout: 180_000 },
);

after(() => session?.close(), { timeout: 60_000 });

const topLevel = (rows: TreeRow[]): TreeRow[] => rows.filter((r) => r.level === 1);

/** The folder as the view may show it: absolute, or ~-relative to the fixture HOME. */
function shownPaths(dir: string): string[] {
  return [dir, `~/${path.relative(session.fixture.home, dir)}`];
}

test('the Projects view lists every registry alias with its folder', { timeout: 60_000 }, () =>
  session.step('projects-lists-aliases', async () => {
    const { workbench, fixture } = session;
    await workbench.openViewContainer(CONTAINER);
    const aliases = SAMPLE_PROJECTS.map((p) => p.alias);
    const rows = await workbench.waitForTreeRows(VIEW, (r) => aliases.every((a) => topLevel(r).some((x) => x.label === a)));
    for (const alias of aliases) {
      const row = topLevel(rows).find((r) => r.label === alias);
      assert.ok(row, `no row for ${alias}:\n${formatRows(rows)}`);
      const dir = fixture.projectDir(alias);
      assert.ok(
        shownPaths(dir).some((p) => row.description.includes(p)),
        `the description of ${alias} should name ${dir}; it is "${row.description}"`,
      );
      assert.equal(row.expanded, false, `${alias} should be collapsible and start collapsed`);
    }
  }),
);

test('expanding a project lists its targets, including those of an included makefile', { timeout: 60_000 }, () =>
  session.step('projects-expand-targets', async () => {
    const { workbench } = session;
    await workbench.openViewContainer(CONTAINER);
    await workbench.expandTreeItem(VIEW, 'web');
    // build…shell are in webapp/Makefile; help, clean and version come from its `include common.mk`.
    const expected = ['build', 'test', 'lint', 'deploy', 'shell', 'help', 'clean', 'version'];
    const rows = await workbench.waitForTreeRows(VIEW, (r) => {
      const children = r.filter((x) => x.level === 2).map((x) => x.label);
      return expected.every((t) => children.includes(t));
    });
    const build = rows.find((r) => r.level === 2 && r.label === 'build');
    assert.match(build?.description ?? '', /Compile the service/, `the ## comment is the description:\n${formatRows(rows)}`);

    // The picture of this state is the README's (VMO_UPDATE_SCREENSHOT=1 writes it to media/).
    await workbench.collapseView('Jobs');
    await workbench.setSideBarWidth(440);
    await workbench.setViewHeight(VIEW, 22 * (rows.length + 2));
    await workbench.openFile('staging/config.yml');
    const shot = path.join(RESULTS_DIR, 'projects.png');
    await workbench.screenshot(shot);
    if (process.env.VMO_UPDATE_SCREENSHOT === '1') copyFileSync(shot, path.join(ROOT, 'media', 'screenshot.png'));
  }),
);

test('Refresh Projects from the command palette picks up a new registry entry', { timeout: 60_000 }, () =>
  session.step('projects-refresh', async () => {
    const { workbench, fixture } = session;
    const dir = path.join(fixture.home, 'src', 'infra');
    appendFileSync(fixture.registryPath, `ops ${dir} 0.1.0\n`);
    await workbench.runCommand('VM Orchestrator: Refresh Projects');
    await workbench.openViewContainer(CONTAINER);
    const rows = await workbench.waitForTreeRows(VIEW, (r) => topLevel(r).some((x) => x.label === 'ops'));
    assert.ok(topLevel(rows).some((r) => r.label === 'ops'));
  }),
);
