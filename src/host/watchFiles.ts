import path from 'node:path';
import * as vscode from 'vscode';

// Watches individual files, also outside the workspace (the mkcli registry, a project's
// makefiles), and calls `onChange` once per burst of events: editors save in several steps.
export function watchFiles(files: Iterable<string>, onChange: () => void, debounceMs = 200): vscode.Disposable {
  let timer: NodeJS.Timeout | undefined;
  const fire = (): void => {
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  };
  const watchers = [...new Set(files)].map((file) => {
    const watcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.file(path.dirname(file)), path.basename(file)),
    );
    watcher.onDidChange(fire);
    watcher.onDidCreate(fire);
    watcher.onDidDelete(fire);
    return watcher;
  });
  return new vscode.Disposable(() => {
    clearTimeout(timer);
    for (const w of watchers) w.dispose();
  });
}
