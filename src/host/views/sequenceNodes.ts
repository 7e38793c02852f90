import * as vscode from 'vscode';
import { stepText, type NamedSequence } from '../../core/sequences/sequenceFile';
import { CommandIds } from '../../shared/ids';
import { markdownLines } from './markdown';
import { escapeMarkdown, markdownCode } from './markdownText';

/** The sequences kept in the workspace, under the favourites while there are any (or problems with them). */
export class SequencesNode extends vscode.TreeItem {
  constructor() {
    super('Sequences', vscode.TreeItemCollapsibleState.Expanded);
    this.id = 'sequences';
    this.contextValue = 'vmoSequences';
    this.iconPath = new vscode.ThemeIcon('run-all');
  }
}

/** A named sequence; its steps in the description (what runs, not what the file says of it), in full in the tooltip; a click asks, then runs it. */
export class SequenceNode extends vscode.TreeItem {
  constructor(readonly sequence: NamedSequence) {
    super(sequence.name, vscode.TreeItemCollapsibleState.None);
    this.id = `sequence:${sequence.file}:${sequence.name}`;
    this.contextValue = 'vmoSequence';
    this.iconPath = new vscode.ThemeIcon('list-ordered');
    const steps = sequence.steps.map(stepText);
    this.description = steps.join(' → ');
    this.tooltip = markdownLines([
      `**${escapeMarkdown(sequence.name)}**${sequence.description ? ` — ${escapeMarkdown(sequence.description)}` : ''}`,
      ...steps.map((s, i) => `${i + 1}. ${markdownCode(s)}`),
      'Stops at the first step that does not succeed; the rest are skipped.',
    ]);
    this.command = { command: CommandIds.runSequence, title: 'Run Sequence', arguments: [this] };
  }
}
