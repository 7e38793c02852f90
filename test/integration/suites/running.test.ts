// Running through the VS Code API: a `mkcli` task runs make in a terminal of its own and ends with
// make's exit code, also for a task written in tasks.json with arguments. Uses the harness's
// fixture HOME (the `web` project of test/fixtures/e2e/projects); elsewhere the tests skip.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'vm-orchestrator.vm-orchestrator';
const TIMED_OUT = Symbol('timed out');

/** A task that was started: its terminal once open, and its end with the exit code VS Code reports. */
interface StartedTask {
  terminal: Promise<vscode.Terminal>;
  ended: Promise<number | undefined>;
  /** Sends a key to the task's terminal every 300 ms (the targets run here read no input). */
  keepPressingKeys(): void;
  dispose(): void;
}

/** Runs `task` in a new terminal (so that the terminal is not one reused from an earlier task). */
function startTask(task: vscode.Task): StartedTask {
  const disposables: vscode.Disposable[] = [];
  let poke: NodeJS.Timeout | undefined;
  let execution: vscode.TaskExecution | undefined;
  task.presentationOptions = { ...task.presentationOptions, panel: vscode.TaskPanelKind.New, reveal: vscode.TaskRevealKind.Always };
  const terminal = new Promise<vscode.Terminal>((resolve) => {
    disposables.push(vscode.window.onDidOpenTerminal((opened) => resolve(opened)));
  });
  const ended = new Promise<number | undefined>((resolve, reject) => {
    disposables.push(
      vscode.tasks.onDidEndTaskProcess((e) => {
        if (e.execution === execution || e.execution.task.name === task.name) resolve(e.exitCode);
      }),
    );
    vscode.tasks.executeTask(task).then((started) => (execution = started), reject);
  });
  return {
    terminal,
    ended,
    keepPressingKeys: () => {
      void terminal.then((t) => {
        poke ??= setInterval(() => t.sendText('q', false), 300);
      });
    },
    dispose: () => {
      clearInterval(poke);
      for (const d of disposables) d.dispose();
      void terminal.then((t) => t.dispose());
    },
  };
}

/** The value of `promise`, or TIMED_OUT after `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Runs `task` to its end, pressing keys in its terminal so that it closes; returns the exit code. */
async function runToEnd(task: vscode.Task, timeoutMs = 45_000): Promise<number | undefined> {
  const started = startTask(task);
  try {
    started.keepPressingKeys();
    const code = await within(started.ended, timeoutMs);
    if (code === TIMED_OUT) throw new Error(`${task.name} did not end within ${timeoutMs} ms`);
    return code;
  } finally {
    started.dispose();
  }
}

async function fetchTask(name: string): Promise<vscode.Task> {
  const tasks = await vscode.tasks.fetchTasks({ type: 'mkcli' });
  const task = tasks.find((t) => t.name === name);
  assert.ok(task, `no task "${name}"; listed: ${tasks.map((t) => t.name).join(', ') || '(none)'}`);
  return task;
}

/** A file in the harness's workspace folder. */
function workspaceFile(...parts: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the harness opens a workspace folder');
  return vscode.Uri.joinPath(folder.uri, ...parts);
}

/** The task `name` of `type` once VS Code lists it: it reads tasks.json and the sequences file again on its own time. */
async function listedTask(type: string, name: string): Promise<vscode.Task> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const task = (await vscode.tasks.fetchTasks({ type })).find((t) => t.name === name);
    if (task) return task;
    if (Date.now() > deadline) throw new Error(`the ${type} task "${name}" was not listed`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

suite('running', () => {
  suiteSetup(async function () {
    if (!process.env.VMO_EXPECT_HOME) this.skip();
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
  });

  test('a mkcli task runs its target in a terminal and ends with exit code 0', async function () {
    this.timeout(60_000);
    const code = await runToEnd(await fetchTask('web version'));
    assert.equal(code, 0, `web version ended with ${String(code)}`);
  });

  test('a mkcli task of tasks.json passes its args to make; a failing recipe ends with make’s exit code 2', async function () {
    this.timeout(60_000);
    // The deploy recipe refuses production without CONFIRM=yes (exit 1), which make reports as 2.
    const tasksJson = workspaceFile('.vscode', 'tasks.json');
    const label = 'deploy to production';
    const config = { version: '2.0.0', tasks: [{ type: 'mkcli', alias: 'web', target: 'deploy', args: ['ENV=production'], label }] };
    await vscode.workspace.fs.writeFile(tasksJson, Buffer.from(JSON.stringify(config, null, 2)));
    try {
      const task = await listedTask('mkcli', label);
      assert.deepEqual((task.definition as { args?: string[] }).args, ['ENV=production']);
      const code = await runToEnd(task);
      assert.equal(code, 2, `make reports the failed recipe as exit code 2; got ${String(code)}`);
    } finally {
      await vscode.workspace.fs.delete(tasksJson);
    }
  });

  test('a mkcli task of tasks.json that cannot run ends with exit code 1 and spawns nothing: a shell operator among its args, an alias not in the registry', async function () {
    this.timeout(60_000);
    const tasksJson = workspaceFile('.vscode', 'tasks.json');
    const tasks = [
      { type: 'mkcli', alias: 'web', target: 'version', args: ['ENV=staging', '&&', 'version'], label: 'a shell operator' },
      { type: 'mkcli', alias: 'no-such-alias', target: 'version', label: 'an unknown alias' },
    ];
    await vscode.workspace.fs.writeFile(tasksJson, Buffer.from(JSON.stringify({ version: '2.0.0', tasks }, null, 2)));
    try {
      for (const { label } of tasks) {
        const task = await listedTask('mkcli', label);
        // make would have run `version` twice and ended with 2 for the goal `&&`.
        const code = await runToEnd(task);
        assert.equal(code, 1, `${label}: refused with exit code 1; got ${String(code)}`);
      }
    } finally {
      await vscode.workspace.fs.delete(tasksJson);
    }
  });

  test('a sequence of .vscode/vm-orchestrator.json is a mkcli-sequence task that stops at the failing step and ends with its exit code', async function () {
    this.timeout(90_000);
    const file = workspaceFile('.vscode', 'vm-orchestrator.json');
    const steps = [
      { alias: 'web', target: 'version' },
      { alias: 'web', target: 'deploy', args: ['ENV=production'] },
      { alias: 'web', target: 'version' },
    ];
    await vscode.workspace.fs.writeFile(file, Buffer.from(JSON.stringify({ sequences: [{ name: 'check then deploy', steps }] }, null, 2)));
    try {
      const task = await listedTask('mkcli-sequence', 'check then deploy');
      assert.equal(task.detail, 'web version → web deploy ENV=production → web version');
      const code = await runToEnd(task);
      assert.equal(code, 2, `the sequence ends as its failing step (make's exit code 2); got ${String(code)}`);
    } finally {
      await vscode.workspace.fs.delete(file);
    }
  });

  test('a mkcli task ends when make exits, without waiting for a key press in its terminal', async function () {
    this.timeout(60_000);
    // `make version` prints one line and exits within a second.
    const started = startTask(await fetchTask('web version'));
    try {
      const quiet = await within(started.ended, 10_000);
      if (quiet !== TIMED_OUT) {
        assert.equal(quiet, 0, 'web version ends with exit code 0');
        return;
      }
      // Not ended: press one key. If the task then ends at once, make had long exited and the
      // task was only waiting for the key.
      (await started.terminal).sendText('q', false);
      const afterKey = await within(started.ended, 10_000);
      assert.fail(
        afterKey === TIMED_OUT
          ? 'web version had not ended 20 s after it started, even after a key press in its terminal'
          : `web version (make exits in well under a second) had not ended 10 s after it started; it ended ` +
              `(exit code ${String(afterKey)}) only once a key was pressed in its terminal. A task's end event, ` +
              'dependsOn chains and the task spinner all wait for the user.',
      );
    } finally {
      started.dispose();
    }
  });
});
