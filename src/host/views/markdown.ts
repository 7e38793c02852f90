import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';

/** A Markdown tooltip of the non-empty paragraphs, with codicons allowed. */
export function markdownLines(paragraphs: string[]): vscode.MarkdownString {
  return new vscode.MarkdownString(paragraphs.filter(Boolean).join('\n\n'), true);
}

/** User text shown literally inside Markdown (names, paths, descriptions). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>$]/g, '\\$&');
}

/** A path with the home folder written as `~`. */
export function tildify(p: string): string {
  const home = os.homedir();
  return p === home || p.startsWith(home + path.sep) ? '~' + p.slice(home.length) : p;
}
