// Targets listed through make's database in the real workbench: a trusted workspace, the machine
// setting `vmOrchestrator.mkcli.targetSource: make`, and a dozen projects whose targets only make can see
// (made by $(eval) from a $(shell …)); each database comes back through the file make writes it to.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { readStaticTargets } from '../../src/core/mkcli/staticTargets';
import { childrenOf, formatRows, type TreeRow } from '../harness/browser';
import { Session } from '../harness/session';

const CONTAINER = 'VM Orchestrator';
const VIEW = 'Projects';
const PROJECTS = 12;
const MAKEFILE = [
  "NAMES := $(shell printf 'deploy-%s ' alpha beta)",
  '$(foreach n,$(NAMES),$(eval $(n): ; @echo $(n)))',
  'build: ## Build it',
  '\t@echo build',
  '',
].join('\n');

let session: Session;
const projects = mkdtempSync(path.join(os.tmpdir(), 'vmo-make-listing-'));

before(
  async () => {
    const lines: string[] = [];
    for (let i = 0; i < PROJECTS; i++) {
      const dir = path.join(projects, `gen${i}`);
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'Makefile'), MAKEFILE);
      lines.push(`gen${i} ${dir} 0.1.0`);
    }
    session = await Session.start({
      name: 'make-listing',
      fixture: { projects: [], extraRegistryLines: lines },
      settings: { 'workbench.colorTheme': 'Default Dark Modern' },
      viewport: { width: 1280, height: 900 },
    });
  },
  { timeout: 180_000 },
);

after(async () => {
  await session?.close();
  rmSync(projects, { recursive: true, force: true });
});

const labels = (rows: TreeRow[], alias: string): string[] => childrenOf(rows, alias).map((r) => r.label);

test("every project lists the targets of make's database, those only make can see included", { timeout: 120_000 }, () =>
  session.step('make-listing-targets', async () => {
    // Not vacuous: read as text, the makefile shows only `build`.
    const read = readStaticTargets(path.join(projects, 'gen0'), path.join(projects, 'gen0', 'Makefile'), { env: process.env });
    assert.deepEqual(read.targets.map((t) => t.name), ['build']);

    const { workbench, server } = session;
    server.setMachineSettings({ 'vmOrchestrator.mkcli.targetSource': 'make' });
    await workbench.openViewContainer(CONTAINER);
    const expected = ['build', 'deploy-alpha', 'deploy-beta'];
    for (const alias of ['gen0', 'gen5', `gen${PROJECTS - 1}`]) {
      await workbench.expandTreeItem(VIEW, alias);
      const rows = await workbench.waitForTreeRows(VIEW, (r) => expected.every((t) => labels(r, alias).includes(t)));
      assert.deepEqual(labels(rows, alias), expected, `${alias} lists exactly make's targets, in source order:\n${formatRows(rows)}`);
    }
  }),
);
