import * as vscode from 'vscode';

// Owns the disposables it registers and releases them together, so a view or service cannot leak.
export class Disposable implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];

  protected register<T extends vscode.Disposable>(disposable: T): T {
    this.disposables.push(disposable);
    return disposable;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
  }
}
