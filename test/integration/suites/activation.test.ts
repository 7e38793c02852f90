// The extension loads in a real extension host, activates, and registers every command it declares.
import assert from 'node:assert/strict';
import os from 'node:os';
import * as vscode from 'vscode';

const EXTENSION_ID = 'vm-orchestrator.vm-orchestrator';

interface Manifest {
  contributes?: { commands?: Array<{ command: string }> };
}

suite('activation', () => {
  test('the extension is installed', () => {
    assert.ok(vscode.extensions.getExtension(EXTENSION_ID), `${EXTENSION_ID} is not among the installed extensions`);
  });

  test('it activates', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  test('every command in contributes.commands is registered', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    await ext.activate();
    const declared = ((ext.packageJSON as Manifest).contributes?.commands ?? []).map((c) => c.command);
    assert.ok(declared.length > 0, 'package.json declares no commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = declared.filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `declared in package.json but not registered: ${missing.join(', ')}`);
  });

  test('vmOrchestrator.refreshProjects runs without throwing', async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    await vscode.commands.executeCommand('vmOrchestrator.refreshProjects');
  });

  test('the extension host sees the environment the harness set', function () {
    // Only under the code-server harness, which sets these; @vscode/test-electron does not.
    const expectedHome = process.env.VMO_EXPECT_HOME;
    if (!expectedHome) this.skip();
    assert.equal(os.homedir(), expectedHome);
    assert.equal(process.env.VMO_EXPECT_PASSTHROUGH, 'passed-through');
  });

  test('workspace trust is what the harness asked for', function () {
    const expected = process.env.VMO_EXPECT_TRUSTED;
    if (expected === undefined) this.skip();
    assert.equal(vscode.workspace.isTrusted, expected === 'true');
  });
});
