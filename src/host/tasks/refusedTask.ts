import * as vscode from 'vscode';
import { visibleText } from '../../shared/format';

// A task from tasks.json that cannot run (its project is not in the registry, its target or an
// argument is refused) still resolves to a task: resolving none makes VS Code say that no task
// provider is registered for its type, which names the wrong cause. This one says why in its
// terminal and ends with exit code 1; nothing is spawned.
export function refusedTask(definition: vscode.TaskDefinition, scope: vscode.Task['scope'], name: string, reason: string): vscode.Task {
  return new vscode.Task(
    definition,
    scope ?? vscode.TaskScope.Workspace,
    name,
    definition.type,
    new vscode.CustomExecution(() => Promise.resolve(new ReasonTerminal(reason))),
    [],
  );
}

class ReasonTerminal implements vscode.Pseudoterminal {
  private readonly written = new vscode.EventEmitter<string>();
  readonly onDidWrite = this.written.event;
  private readonly closed = new vscode.EventEmitter<number>();
  readonly onDidClose = this.closed.event;

  constructor(private readonly reason: string) {}

  open(): void {
    // The reason may quote tasks.json: an escape sequence in it would be the terminal's to obey.
    this.written.fire(`\x1b[31m${visibleText(this.reason)}\x1b[0m\r\n`);
    // After the write is shown: closing in the same turn can drop it.
    setTimeout(() => this.closed.fire(1), 0);
  }

  close(): void {
    this.written.dispose();
    this.closed.dispose();
  }
}
