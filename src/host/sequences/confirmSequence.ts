import { createHash } from 'node:crypto';
import path from 'node:path';
import { stepText, type NamedSequence } from '../../core/sequences/sequenceFile';
import { shortTitle } from '../../core/jobs/runQuestion';
import { visibleText } from '../../shared/format';
import { askToRun } from '../jobs/askToRun';
import type { TargetPreferences } from '../jobs/targetPreferences';

// A sequence of the workspace's file runs what a teammate may have written, under a name and a
// description that need not say what its steps do, and the tree and the picker cut a long list of
// steps short. So its steps are shown whole before it runs, until the user says not to ask again
// for these very steps: any change to them (or to its name or file) asks again.
export async function confirmSequence(sequence: NamedSequence, preferences: TargetPreferences): Promise<boolean> {
  const digest = createHash('sha256').update(JSON.stringify([sequence.file, sequence.name, sequence.steps])).digest('hex');
  if (preferences.sequenceConfirmed(digest)) return true;
  const detail = [
    ...sequence.steps.map((step, i) => `${i + 1}. ${stepText(step)}`),
    '',
    visibleText(`From ${path.basename(sequence.file)}, line ${sequence.line}, a file of the workspace: check that these are the steps you meant. It stops at the first step that does not succeed.`),
  ].join('\n');
  const answer = await askToRun({ message: shortTitle(visibleText(`Run the sequence ${sequence.name}?`), 'Run this sequence?'), detail }, 'Run, Do Not Ask Again');
  if (answer === 'always') await preferences.confirmSequence(digest);
  return answer !== undefined;
}
