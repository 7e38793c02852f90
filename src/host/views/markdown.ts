import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';

/** A Markdown tooltip of the non-empty paragraphs; `themeIcons`: `$(name)` draws a codicon. */
export function markdownLines(paragraphs: string[], { themeIcons = false } = {}): vscode.MarkdownString {
  return new vscode.MarkdownString(paragraphs.filter(Boolean).join('\n\n'), themeIcons);
}

/** A path with the home folder written as `~`. */
export function tildify(p: string): string {
  const home = os.homedir();
  return p === home || p.startsWith(home + path.sep) ? '~' + p.slice(home.length) : p;
}
