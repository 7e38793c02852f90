import * as vscode from 'vscode';
import { log } from '../logger';
import { assertTrusted } from '../trust';

// Every command goes through here: an error is logged with the command's id and shown once as
// a short message, and never escapes as an unhandled rejection.
// Handlers declare the argument types VS Code passes them (a tree node, a URI); `never[]` accepts any of those.
export function registerCommand(id: string, handler: (...args: never[]) => unknown): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await (handler as (...a: unknown[]) => unknown)(...args);
    } catch (error) {
      log.error(`[${id}]`, error instanceof Error ? (error.stack ?? error.message) : String(error));
      // Not awaited: the command has ended, whenever the message is dismissed.
      void vscode.window.showErrorMessage(error instanceof Error ? error.message : String(error), 'Show Log').then((action) => {
        if (action === 'Show Log') log.show();
      });
      return undefined;
    }
  });
}

// A command that exists to run something (on this machine or a VM, an ssh included) refuses at
// once in Restricted Mode, before it asks for a project, a target, arguments or a container: the
// job service would refuse it anyway, after the questions (and `docker ps` on the VM).
export function registerRunCommand(id: string, handler: (...args: never[]) => unknown): vscode.Disposable {
  return registerCommand(id, (...args: never[]) => {
    assertTrusted();
    return (handler as (...a: never[]) => unknown)(...args);
  });
}
