import * as vscode from 'vscode';
import { log } from '../logger';

// Every command goes through here: an error is logged with the command's id and shown once as
// a short message, and never escapes as an unhandled rejection.
// Handlers declare the argument types VS Code passes them (a tree node, a URI); `never[]` accepts any of those.
export function registerCommand(id: string, handler: (...args: never[]) => unknown): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await (handler as (...a: unknown[]) => unknown)(...args);
    } catch (error) {
      log.error(`[${id}]`, error instanceof Error ? (error.stack ?? error.message) : String(error));
      const action = await vscode.window.showErrorMessage(error instanceof Error ? error.message : String(error), 'Show Log');
      if (action === 'Show Log') log.show();
      return undefined;
    }
  });
}
