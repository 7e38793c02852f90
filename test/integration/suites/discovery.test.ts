// Discovery through the VS Code API: every make target of every registered project is a task of
// type `mkcli`, including the targets of an included makefile, with its `##` comment as detail.
// The expectations are those of the harness's fixture HOME (test/fixtures/e2e/projects and
// SAMPLE_PROJECTS in test/harness/fixtures.ts); elsewhere (a real HOME) the tests skip.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'vm-orchestrator.vm-orchestrator';

/** Alias → target → description, as the fixture Makefiles write them. */
const FIXTURE_TARGETS: Record<string, Record<string, string>> = {
  web: {
    build: 'Compile the service into bin/',
    test: 'Run the unit tests',
    lint: 'Check formatting and common mistakes',
    deploy: 'Deploy to ENV (staging by default; production needs CONFIRM=yes)',
    shell: 'Open an interactive shell in the project folder',
    // The next three are in webapp/common.mk, which webapp/Makefile includes.
    help: 'List the targets with their description',
    clean: 'Remove build output',
    version: 'Print the version that would be built',
  },
  infra: {
    plan: 'Show what apply would change in STACK',
    apply: 'Apply the plan to STACK',
    fmt: 'Format the configuration files',
    inventory: 'Print the inventory of STACK',
  },
  docs: {
    build: 'Render the site into public/',
    serve: 'Serve the site on http://127.0.0.1:8000 until stopped',
    publish: 'Upload public/ to the docs bucket',
  },
};

interface MkcliDefinition extends vscode.TaskDefinition {
  alias?: string;
  target?: string;
}

suite('discovery', () => {
  suiteSetup(async function () {
    // Only with the harness's fixture HOME, whose registry these expectations describe.
    if (!process.env.VMO_EXPECT_HOME) this.skip();
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
  });

  test('fetchTasks({ type: "mkcli" }) lists one task per target of every project, included makefiles too', async function () {
    this.timeout(60_000);
    const tasks = await vscode.tasks.fetchTasks({ type: 'mkcli' });
    const byName = new Map(tasks.map((t) => [t.name, t]));
    const expected = Object.entries(FIXTURE_TARGETS).flatMap(([alias, targets]) => Object.keys(targets).map((target) => `${alias} ${target}`));
    const missing = expected.filter((name) => !byName.has(name));
    assert.deepEqual(missing, [], `tasks missing; listed: ${[...byName.keys()].join(', ') || '(none)'}`);
    // Nothing but targets of registered projects: no .PHONY, no variables, no makefile names.
    assert.deepEqual([...byName.keys()].sort(), [...expected].sort(), 'the tasks are exactly the targets of the fixture projects');
  });

  test('each mkcli task carries its alias and target in its definition and its ## comment as detail', async function () {
    this.timeout(60_000);
    const tasks = await vscode.tasks.fetchTasks({ type: 'mkcli' });
    assert.ok(tasks.length > 0, 'no mkcli tasks');
    for (const task of tasks) {
      const definition = task.definition as MkcliDefinition;
      assert.equal(definition.type, 'mkcli');
      assert.equal(task.source, 'mkcli', `the source of ${task.name}`);
      assert.equal(task.name, `${definition.alias} ${definition.target}`, 'the name is "<alias> <target>"');
      const description = FIXTURE_TARGETS[definition.alias ?? '']?.[definition.target ?? ''];
      assert.equal(task.detail, description, `the detail of ${task.name} is its ## comment`);
    }
    const help = tasks.find((t) => t.name === 'web help');
    assert.ok(help, 'web help (from the included common.mk) is a task');
  });
});
