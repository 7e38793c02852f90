// The Discovery acceptance test, as a user sees it in Chromium: an mkcli registry in mkcli's own
// format (`alias /abs/path version`) with a project that includes a shared makefile, a project whose
// folder is gone and a malformed line; a workspace with a valid and a broken vm-config environment;
// and an ssh config whose blocks (one behind an Include of conf.d/*) rename two of the VMs.
import assert from 'node:assert/strict';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { childrenOf, formatRows, Workbench, type TreeRow } from '../harness/browser';
import { startCodeServer, type CodeServer } from '../harness/codeServer';
import { FIXTURES_DIR, resultsDirFor } from '../harness/paths';
import { removeOnExit } from '../harness/processes';
import { saveArtifacts, withArtifacts } from '../harness/session';

const FIXTURE_DIR = path.join(FIXTURES_DIR, 'e2e', 'discovery');
const CONTAINER = 'VM Orchestrator';
const SHOTS = resultsDirFor('discovery');

/** The registry, line by line; the line numbers are what the error items must name. */
function registryLines(home: string): string[] {
  return [
    '# mkcli registry: alias path version', // line 1
    `shop ${home}/src/shop 0.1.0`, // line 2: Makefile with `include common.mk`
    `tools ${home}/src/tools 0.3.2`, // line 3
    `ghost ${home}/src/ghost 0.2.0`, // line 4: the folder does not exist
    'tools-old /opt/tools 0.1.0 extra-field', // line 5: malformed (four fields)
  ];
}
const MALFORMED_LINE = 5;
const GHOST_LINE = 4;
/** The line of environments/broken/config.yml with the bad indentation. */
const BROKEN_YAML_LINE = 7;

interface Setup {
  root: string;
  home: string;
  workspace: string;
  server: CodeServer;
  workbench: Workbench;
  cleanup(): Promise<void>;
}

let setup: Setup;

/** A fixture home and workspace from test/fixtures/e2e/discovery, code-server on them, and Chromium. */
async function start(): Promise<Setup> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'vmo-discovery-'));
  const forget = removeOnExit(root);
  const home = path.join(root, 'home');
  const workspace = path.join(root, 'workspace');
  cpSync(path.join(FIXTURE_DIR, 'home'), home, { recursive: true });
  chmodSync(path.join(home, '.ssh'), 0o700);
  // ssh finds a relative Include under the passwd entry's ~/.ssh, not this HOME's (sshHome.ts), and
  // so does the view: the Include names the fixture's conf.d by its absolute path.
  const sshConfig = path.join(home, '.ssh', 'config');
  writeFileSync(sshConfig, readFileSync(sshConfig, 'utf8').replace('Include conf.d/*', `Include ${path.join(home, '.ssh', 'conf.d')}/*`), { mode: 0o600 });
  chmodSync(sshConfig, 0o600);
  for (const project of ['shop', 'tools']) {
    cpSync(path.join(FIXTURE_DIR, 'projects', project), path.join(home, 'src', project), { recursive: true });
  }
  const registryPath = path.join(home, '.config', 'mkcli', 'registry');
  mkdirSync(path.dirname(registryPath), { recursive: true });
  writeFileSync(registryPath, `${registryLines(home).join('\n')}\n`);
  cpSync(path.join(FIXTURE_DIR, 'workspace'), workspace, { recursive: true });

  let server: CodeServer | undefined;
  let workbench: Workbench | undefined;
  const cleanup = async (): Promise<void> => {
    await workbench?.close();
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
    forget();
  };
  try {
    server = await startCodeServer({ workspace, home, settings: { 'workbench.colorTheme': 'Default Dark Modern' } });
    workbench = await Workbench.open(server.url, { viewport: { width: 1400, height: 900 } });
    return { root, home, workspace, server, workbench, cleanup };
  } catch (err) {
    await saveArtifacts('discovery-start', server, workbench).catch(() => undefined);
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

before(async () => {
  setup = await start();
}, { timeout: 180_000 });

after(() => setup?.cleanup(), { timeout: 60_000 });

const topLevel = (rows: TreeRow[]): TreeRow[] => rows.filter((r) => r.level === 1);

/** A folder as the view may show it: absolute, or ~-relative to the fixture HOME. */
function shownPaths(dir: string): string[] {
  return [dir, `~/${path.relative(setup.home, dir)}`];
}

const MALFORMED_MESSAGE = /Expected "alias path \[version\]" or "alias=path", got "tools-old \/opt\/tools 0\.1\.0 extra-field"/;

test('Projects: every alias with its folder and version; the malformed line is an error naming registry:<line>', { timeout: 90_000 }, () =>
  step('discovery-projects-roots', async () => {
    const { workbench, home } = setup;
    await workbench.openViewContainer(CONTAINER);
    await workbench.collapseView('Jobs');
    // Wide enough for the descriptions to show whole in the screenshots.
    await workbench.setSideBarWidth(560);
    const rows = await workbench.waitForTreeRows('Projects', (r) =>
      ['shop', 'tools', 'ghost'].every((a) => topLevel(r).some((x) => x.label === a)) && topLevel(r).some((x) => MALFORMED_MESSAGE.test(x.label)),
    );
    const expected: Array<[string, string, string]> = [
      ['shop', path.join(home, 'src', 'shop'), '0.1.0'],
      ['tools', path.join(home, 'src', 'tools'), '0.3.2'],
      ['ghost', path.join(home, 'src', 'ghost'), '0.2.0'],
    ];
    for (const [alias, dir, version] of expected) {
      const row = topLevel(rows).find((r) => r.label === alias);
      assert.ok(row, `no row for ${alias}:\n${formatRows(rows)}`);
      assert.ok(
        shownPaths(dir).some((p) => row.description.includes(p)),
        `the description of ${alias} should name ${dir}; it is "${row.description}"`,
      );
      assert.ok(row.description.includes(version), `the description of ${alias} should show mkcli version ${version}; it is "${row.description}"`);
      assert.equal(row.expanded, false, `${alias} should be collapsible and start collapsed`);
    }
    const malformed = topLevel(rows).filter((r) => MALFORMED_MESSAGE.test(r.label));
    assert.equal(malformed.length, 1, `one error item for the malformed line:\n${formatRows(rows)}`);
    assert.equal(malformed[0].description, `registry:${MALFORMED_LINE}`, 'the error item names the registry file and line');
    assert.equal(malformed[0].expanded, undefined, 'the error item is a leaf');
    // Only the three aliases and the one error: the comment line is not an item.
    assert.equal(topLevel(rows).length, 4, `unexpected top-level rows:\n${formatRows(rows)}`);
    // The missing project is marked with a warning icon, the others are not.
    const ghostRow = await workbench.revealTreeItem('Projects', 'ghost');
    assert.equal(await ghostRow.locator('.codicon-warning').count(), 1, 'the missing project shows a warning icon');
    const shopRow = await workbench.revealTreeItem('Projects', 'shop');
    assert.equal(await shopRow.locator('.codicon-warning').count(), 0, 'a project that exists shows no warning icon');
    await shot('01-projects');
  }),
);

test('Projects: a project expands into its targets, read from its makefile and its included one without running make, with their ## descriptions', { timeout: 90_000 }, () =>
  step('discovery-projects-targets', async () => {
    const { workbench } = setup;
    await workbench.openViewContainer(CONTAINER);
    await workbench.expandTreeItem('Projects', 'shop');
    // build, test and package are in shop/Makefile; fmt and release come from its `include common.mk`.
    const expected: Record<string, string> = {
      build: 'Compile the shop service',
      test: "Run the shop's unit tests",
      package: '',
      fmt: 'Format every source file',
      release: 'Tag and publish a release',
    };
    const rows = await workbench.waitForTreeRows('Projects', (r) => {
      const labels = childrenOf(r, 'shop').map((x) => x.label);
      return Object.keys(expected).every((t) => labels.includes(t));
    });
    const children = childrenOf(rows, 'shop');
    for (const [target, description] of Object.entries(expected)) {
      const row = children.find((r) => r.label === target);
      assert.ok(row, `no target ${target} under shop:\n${formatRows(rows)}`);
      assert.equal(row.description, description, `the description of target ${target} is its ## comment (or nothing)`);
      assert.equal(row.expanded, undefined, `target ${target} is a leaf`);
    }
    assert.deepEqual(
      children.map((r) => r.label).sort(),
      Object.keys(expected).sort(),
      `shop lists exactly its targets (no .PHONY, no variables, no problems):\n${formatRows(rows)}`,
    );
    // The targets were read from the text: the Makefile's $(shell touch …) never ran.
    assert.equal(existsSync(path.join(setup.home, 'src', 'shop', 'listing-ran-make')), false, 'listing the targets ran make');
    await shot('02-projects-targets');
  }),
);

test('Projects: the missing project expands into a warning that names its registry line', { timeout: 90_000 }, () =>
  step('discovery-projects-missing', async () => {
    const { workbench, home } = setup;
    await workbench.openViewContainer(CONTAINER);
    await workbench.expandTreeItem('Projects', 'ghost');
    const rows = await workbench.waitForTreeRows('Projects', (r) => childrenOf(r, 'ghost').length > 0);
    const children = childrenOf(rows, 'ghost');
    assert.equal(children.length, 1, `ghost has one child, the warning:\n${formatRows(rows)}`);
    const [warning] = children;
    assert.match(warning.label, /does not exist/, 'the warning says the folder does not exist');
    assert.ok(warning.label.includes(path.join(home, 'src', 'ghost')), `the warning names the folder; it is "${warning.label}"`);
    assert.equal(warning.description, `registry:${GHOST_LINE}`, 'the warning names the registry file and line');
    const row = await workbench.revealTreeItem('Projects', warning.label);
    assert.equal(await row.locator('.codicon-warning').count(), 1, 'the child is shown with a warning icon');
    await shot('03-projects-missing');
  }),
);

test('Projects: clicking the malformed-line error opens the registry at that line', { timeout: 90_000 }, () =>
  step('discovery-open-registry-problem', async () => {
    const { workbench, home } = setup;
    await workbench.openViewContainer(CONTAINER);
    const rows = await workbench.treeRows('Projects');
    const malformed = topLevel(rows).find((r) => MALFORMED_MESSAGE.test(r.label));
    assert.ok(malformed, `no error item for the malformed line:\n${formatRows(rows)}`);
    await workbench.clickTreeItem('Projects', malformed.label);
    await waitFor(async () => (await workbench.activeEditorTab())?.startsWith('registry') === true, 'the registry to open in the active tab');
    await waitFor(async () => (await workbench.editorSelection()).startsWith(`Ln ${MALFORMED_LINE},`), `the cursor on line ${MALFORMED_LINE}`);
    // The editor draws spaces as no-break spaces.
    const editorText = ((await workbench.page.locator('.part.editor .monaco-editor .view-lines').first().textContent()) ?? '').replace(/\u00a0/g, ' ');
    assert.ok(editorText.includes(`ghost ${home}/src/ghost`), `the editor shows the fixture registry; it shows:\n${editorText}`);
    await shot('04-registry-opened');
  }),
);

test('VMs: the valid environment with its template, description and VMs as ssh reaches them; the broken file is an error with its line', { timeout: 90_000 }, () =>
  step('discovery-vms', async () => {
    const { workbench } = setup;
    await workbench.openViewContainer(CONTAINER);
    await workbench.collapseView('Projects');
    const rows = await workbench.waitForTreeRows('VMs', (r) => childrenOf(r, 'lab').length >= 3 && topLevel(r).length >= 2);
    const lab = topLevel(rows).find((r) => r.label === 'lab');
    assert.ok(lab, `no environment lab:\n${formatRows(rows)}`);
    assert.equal(lab.description, 'lab-cluster · Lab VMs for discovery tests', 'the environment shows its template and description');
    assert.equal(lab.expanded, true, 'environments start expanded');

    const vms = childrenOf(rows, 'lab');
    const described = Object.fromEntries(vms.map((r) => [r.label, r.description]));
    assert.deepEqual(
      described,
      {
        // HostName 10.77.0.11 of `Host labweb`, which comes from ~/.ssh/conf.d/lab.conf through the config's Include.
        'lab-web-1': 'webadmin@10.77.0.11 · ssh labweb',
        // `Host lab-db-1` names the VM itself, with its own User.
        'lab-db-1': 'dbadmin@10.77.0.21 · ssh lab-db-1',
        // No block: ansible_user@host.
        'lab-cache-1': 'cacheops@10.77.0.31',
      },
      `VM rows:\n${formatRows(rows)}`,
    );

    const problems = topLevel(rows).filter((r) => r.label !== 'lab');
    assert.equal(problems.length, 1, `one error item besides the environment (the broken file), and no ssh config problems:\n${formatRows(rows)}`);
    assert.match(problems[0].label, /^Invalid YAML: bad indentation/, 'the error says what is wrong');
    assert.match(problems[0].description, new RegExp(`environments/[^/]+/config\\.yml:${BROKEN_YAML_LINE}$`), 'the error names the file and line');
    assert.ok(!topLevel(rows).some((r) => r.label === 'broken'), 'the broken file is not shown as an environment');
    await shot('05-vms');
  }),
);

test("VMs: clicking the broken environment's error opens its file at the line", { timeout: 90_000 }, () =>
  step('discovery-open-yaml-problem', async () => {
    const { workbench } = setup;
    await workbench.openViewContainer(CONTAINER);
    const rows = await workbench.treeRows('VMs');
    const problem = topLevel(rows).find((r) => r.label.startsWith('Invalid YAML'));
    assert.ok(problem, `no error item for the broken environment:\n${formatRows(rows)}`);
    await workbench.clickTreeItem('VMs', problem.label);
    await waitFor(async () => (await workbench.activeEditorTab())?.startsWith('config.yml') === true, 'config.yml to open in the active tab');
    await waitFor(async () => (await workbench.editorSelection()).startsWith(`Ln ${BROKEN_YAML_LINE},`), `the cursor on line ${BROKEN_YAML_LINE}`);
    // Two environments have a config.yml: the breadcrumbs say which one is open.
    const crumbs = (await workbench.page.locator('.part.editor .breadcrumbs-control').first().textContent()) ?? '';
    assert.match(crumbs, /broken/, `the opened file is environments/broken/config.yml; breadcrumbs: "${crumbs}"`);
    await shot('06-broken-environment-opened');
  }),
);

test('VMs: an SSH config whose Includes fan out and a config.yaml beside a config.yml are items naming their file; fixing them brings the view back without a reload', { timeout: 120_000 }, () =>
  step('discovery-vms-recovery', async () => {
    const { workbench, home, workspace } = setup;
    await workbench.openViewContainer(CONTAINER);
    const before = formatRows(await workbench.waitForTreeRows('VMs', (r) => childrenOf(r, 'lab').length >= 3));
    // No cycle, but 3 Includes of the next file on each of 15 levels: 14 million files to read (ssh -G hangs on it).
    const sshConfig = path.join(home, '.ssh', 'config');
    const good = readFileSync(sshConfig, 'utf8');
    const inc = path.join(home, '.ssh', 'inc');
    mkdirSync(inc);
    for (let n = 1; n <= 15; n++) writeFileSync(path.join(inc, `x${n}`), `Include ${inc}/x${n + 1} ${inc}/x${n + 1} ${inc}/x${n + 1}\n`);
    writeFileSync(path.join(inc, 'x16'), 'Host foo\n');
    writeFileSync(sshConfig, `Include ${inc}/x1\n${good}`);
    const yaml = path.join(workspace, 'environments', 'lab', 'config.yaml');
    writeFileSync(yaml, 'vms:\n  other-1:\n    host: 10.77.0.99\n');
    const rows = await workbench.waitForTreeRows('VMs', (r) => topLevel(r).some((x) => /takes this SSH config over/.test(x.label)) && topLevel(r).some((x) => x.label.startsWith('Ignored:')));
    const budget = topLevel(rows).find((x) => /takes this SSH config over/.test(x.label))!;
    assert.ok(budget.label.startsWith(`Include "${inc}/x16"`), `the error names the Include that went over: "${budget.label}"`);
    assert.equal(budget.description, 'x15:1', 'the error is at the Include line that went over the budget');
    const ignored = topLevel(rows).find((x) => x.label.startsWith('Ignored:'))!;
    assert.match(ignored.label, /environment "lab" is read from config\.yml beside it/);
    assert.equal(ignored.description, 'environments/lab/config.yaml', 'the warning names the file that is not read');
    // One lab, its VMs read from config.yml, resolved without the config's rest (labweb is in conf.d, after the Include).
    assert.equal(topLevel(rows).filter((x) => x.label === 'lab').length, 1, `one environment lab:\n${formatRows(rows)}`);
    assert.deepEqual(childrenOf(rows, 'lab').map((r) => r.label).sort(), ['lab-cache-1', 'lab-db-1', 'lab-web-1']);
    assert.ok(!childrenOf(rows, 'lab').some((r) => r.description.includes('ssh labweb')), `the rest of the SSH config is not read:\n${formatRows(rows)}`);
    await shot('07-vms-budget-and-yaml');

    writeFileSync(sshConfig, good);
    rmSync(yaml);
    rmSync(inc, { recursive: true });
    await workbench.waitForTreeRows('VMs', (r) => formatRows(r) === before);
    await shot('08-vms-recovered');
  }),
);

/** Polls `condition` every 200 ms for up to `timeoutMs`. */
async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      const tab = await setup.workbench.activeEditorTab();
      const selection = await setup.workbench.editorSelection();
      throw new Error(`Timed out waiting for ${what} (active tab: ${tab ?? 'none'}, status bar: "${selection}")`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
