import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { stepText, type NamedSequence } from '../../core/sequences/sequenceFile';
import { CommandIds } from '../../shared/ids';
import type { JobService } from '../jobs/jobService';
import { runSequence } from '../jobs/sequenceRun';
import { sequenceRequest, type SequenceSources } from '../sequences/sequenceRequest';
import { confirmSequence } from '../sequences/confirmSequence';
import type { WorkspaceSequences } from '../sequences/workspaceSequences';
import { openFileAt } from '../views/problemNode';
import { TargetNode } from '../views/projectsTreeProvider';
import { SequenceNode } from '../views/sequenceNodes';
import { registerCommand, registerRunCommand } from './registerCommand';

export interface SequenceContext extends SequenceSources {
  jobs: JobService;
  sequences: WorkspaceSequences;
}

/** What a new sequences file holds: one example to edit. */
const TEMPLATE = `{
  // Targets run one after the other; the first that does not succeed stops the sequence.
  // Run one with "VM Orchestrator: Run Sequence…", from the Projects view, or as a task.
  "sequences": [
    {
      "name": "release",
      "description": "build, test, then deploy",
      "steps": [
        { "alias": "web", "target": "build" },
        { "alias": "web", "target": "test", "args": ["CI=1"] }
      ]
    }
  ]
}
`;

// Run in Sequence on targets picked together in the Projects view (in the order picked), and the
// sequences kept in the workspace: Run Sequence… (palette, the view, a keybinding with its name)
// and Open Sequences File.
export function registerSequenceCommands(ctx: SequenceContext): vscode.Disposable[] {
  return [
    registerRunCommand(CommandIds.runInSequence, async (clicked?: unknown, selected?: readonly unknown[]) => {
      const nodes = (selected && selected.length > 0 ? selected : [clicked]).filter((n): n is TargetNode => n instanceof TargetNode);
      if (nodes.length === 0) return;
      const s = ctx.settings();
      const steps = nodes.map(({ entry, target }) => ({
        entry,
        target: target.name,
        args: ctx.preferences.clickArgs(entry.alias, target.name),
        mode: ctx.preferences.clickMode(entry.alias, target.name, s.interactiveTargets),
      }));
      await runSequence(ctx.jobs, { steps });
    }),
    registerRunCommand(CommandIds.runSequence, async (subject?: unknown) => {
      const sequence = subject instanceof SequenceNode ? subject.sequence : typeof subject === 'string' ? await named(ctx.sequences, subject) : await pickSequence(ctx.sequences);
      if (sequence && (await confirmSequence(sequence, ctx.preferences))) await runSequence(ctx.jobs, await sequenceRequest(ctx, sequence));
    }),
    registerCommand(CommandIds.openSequencesFile, async (subject?: unknown) => {
      if (subject instanceof SequenceNode) return openFileAt(subject.sequence.file, subject.sequence.line);
      const file = (await ctx.sequences.list()).sequences[0]?.file ?? ctx.sequences.fileOfFirstFolder();
      if (!file) throw new Error('Open a folder first: its sequences are kept in .vscode/vm-orchestrator.json.');
      await createIfMissing(file);
      return openFileAt(file);
    }),
  ];
}

async function named(sequences: WorkspaceSequences, name: string): Promise<NamedSequence> {
  const found = await sequences.find(name);
  if (!found) throw new Error(`No sequence named "${name}" in the workspace's .vscode/vm-orchestrator.json.`);
  return found;
}

// The sequences with their steps in full, so that what runs is what was read; a broken file says so.
async function pickSequence(sequences: WorkspaceSequences): Promise<NamedSequence | undefined> {
  const { sequences: list, problems } = await sequences.list();
  const open = 'Open Sequences File';
  if (problems.length > 0) {
    const first = problems[0];
    void vscode.window.showWarningMessage(`${path.basename(first.file)}:${first.line ?? 1}: ${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`, open).then((choice) => {
      if (choice === open) void openFileAt(first.file, first.line, first.column);
    });
  }
  if (list.length === 0) {
    if ((await vscode.window.showInformationMessage('No sequences yet: they are kept in .vscode/vm-orchestrator.json.', open)) === open) {
      await vscode.commands.executeCommand(CommandIds.openSequencesFile);
    }
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    list.map((sequence) => ({ label: sequence.name, description: sequence.description, detail: sequence.steps.map(stepText).join(' → '), sequence })),
    { placeHolder: 'Run which sequence?', matchOnDescription: true, matchOnDetail: true },
  );
  return picked?.sequence;
}

async function createIfMissing(file: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  try {
    await writeFile(file, TEMPLATE, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}
