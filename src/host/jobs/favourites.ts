import * as vscode from 'vscode';
import { Disposable } from '../disposable';

/** A pinned target. */
export interface Favourite {
  alias: string;
  target: string;
}

const KEY = 'vmOrchestrator.favourites';

// The targets the user pinned, in the order pinned, kept for the user (the mkcli registry is the
// user's, not a workspace's) and shown at the top of the Projects view.
export class Favourites extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;

  constructor(private readonly memento: vscode.Memento) {
    super();
  }

  list(): Favourite[] {
    const stored = this.memento.get<unknown>(KEY, []);
    return Array.isArray(stored) ? stored.filter((f): f is Favourite => typeof f?.alias === 'string' && typeof f?.target === 'string') : [];
  }

  has(alias: string, target: string): boolean {
    return this.list().some((f) => f.alias === alias && f.target === target);
  }

  async pin(alias: string, target: string): Promise<void> {
    if (this.has(alias, target)) return;
    await this.memento.update(KEY, [...this.list(), { alias, target }]);
    this.changed.fire();
  }

  async unpin(alias: string, target: string): Promise<void> {
    await this.memento.update(KEY, this.list().filter((f) => f.alias !== alias || f.target !== target));
    this.changed.fire();
  }
}
