import path from 'node:path';
import * as vscode from 'vscode';
import type { Problem } from '../../core/problem';
import { parseSequences, SEQUENCES_FILE, type NamedSequence } from '../../core/sequences/sequenceFile';
import { FileReadError, READ_LIMITS, readBounded } from '../../core/util/readBounded';
import { Disposable } from '../disposable';

/** The named sequences of every workspace folder, and what is wrong in their files. */
export interface SequenceList {
  sequences: NamedSequence[];
  problems: Problem[];
}

// The sequences kept in the workspace, one .vscode/vm-orchestrator.json per folder, read again
// when one of those files or the folders change. A name two folders both use is an error there.
export class WorkspaceSequences extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;
  private cached: Promise<SequenceList> | undefined;

  constructor() {
    super();
    const watcher = this.register(vscode.workspace.createFileSystemWatcher(`**/${SEQUENCES_FILE}`));
    const reread = (): void => {
      this.cached = undefined;
      this.changed.fire();
    };
    this.register(watcher.onDidCreate(reread));
    this.register(watcher.onDidChange(reread));
    this.register(watcher.onDidDelete(reread));
    this.register(vscode.workspace.onDidChangeWorkspaceFolders(reread));
  }

  list(): Promise<SequenceList> {
    this.cached ??= readAll();
    return this.cached;
  }

  async find(name: string): Promise<NamedSequence | undefined> {
    return (await this.list()).sequences.find((s) => s.name === name);
  }

  /** The file a new sequence would go in: the first folder's. */
  fileOfFirstFolder(): string | undefined {
    const folder = vscode.workspace.workspaceFolders?.[0];
    return folder && path.join(folder.uri.fsPath, SEQUENCES_FILE);
  }
}

async function readAll(): Promise<SequenceList> {
  const result: SequenceList = { sequences: [], problems: [] };
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    if (folder.uri.scheme !== 'file') continue;
    const file = path.join(folder.uri.fsPath, SEQUENCES_FILE);
    let text: string;
    try {
      text = await readBounded(file, READ_LIMITS.sequences);
    } catch (error) {
      if (error instanceof FileReadError && error.code === 'ENOENT') continue;
      result.problems.push({ severity: 'error', message: `Cannot read the sequences: ${(error as Error).message}`, file });
      continue;
    }
    const parsed = parseSequences(text, file);
    result.problems.push(...parsed.problems);
    for (const sequence of parsed.sequences) {
      const other = result.sequences.find((s) => s.name === sequence.name);
      if (other) result.problems.push({ severity: 'error', message: `Sequence "${sequence.name}" is also in ${other.file}: names must be unique in the workspace`, file, line: sequence.line });
      else result.sequences.push(sequence);
    }
  }
  return result;
}
