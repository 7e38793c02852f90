// Restricted Mode (Workspace Trust on, the folder not trusted): a command that exists to run
// something refuses at once, before it asks anything. A command that asked first would wait on
// its quick pick or input box here, which nobody answers. Elsewhere the tests skip.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'vm-orchestrator.vm-orchestrator';
const WAITED = Symbol('waited');
/** Far longer than a refusal takes; a command that asks a question waits forever. */
const ASKING_MS = 5000;

const commands = ['vmOrchestrator.runTargetPicker', 'vmOrchestrator.runCommandOnVm', 'vmOrchestrator.runTargetOnVm', 'vmOrchestrator.runSequence'];

suite('Restricted Mode', () => {
  suiteSetup(async function () {
    if (process.env.VMO_EXPECT_TRUSTED !== 'false') this.skip();
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
  });

  teardown(() => vscode.commands.executeCommand('workbench.action.closeQuickOpen'));

  for (const command of commands) {
    test(`${command} refuses without asking anything`, async () => {
      const outcome = await Promise.race([
        vscode.commands.executeCommand(command).then(() => 'ended'),
        new Promise<typeof WAITED>((resolve) => setTimeout(() => resolve(WAITED), ASKING_MS)),
      ]);
      assert.equal(outcome, 'ended', `${command} waited for an answer instead of refusing`);
    });
  }
});
