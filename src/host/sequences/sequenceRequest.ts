import type { NamedSequence } from '../../core/sequences/sequenceFile';
import type { Settings } from '../config';
import type { SequenceRequest } from '../jobs/sequenceRun';
import type { TargetPreferences } from '../jobs/targetPreferences';
import { listedTarget, type TargetSources } from '../jobs/listedTarget';

/** What a named sequence's steps are resolved against. */
export interface SequenceSources extends TargetSources {
  preferences: TargetPreferences;
  settings: () => Settings;
}

// The steps of a named sequence as runs: each a target its project lists now, for a VM of the
// workspace (a file in the workspace names nothing else to run). The first that is not is the
// error; nothing runs then.
export async function sequenceRequest(sources: SequenceSources, sequence: NamedSequence): Promise<SequenceRequest> {
  const s = sources.settings();
  const steps = await Promise.all(
    sequence.steps.map(async (step, i) => {
      const found = await listedTarget(sources, step);
      if ('error' in found) throw new Error(`Sequence "${sequence.name}", step ${i + 1} (${step.alias} ${step.target}): ${found.error}.`);
      const { entry, vm } = found;
      const mode = sources.preferences.clickMode(entry.alias, step.target, s.interactiveTargets);
      return { entry, target: step.target, args: step.args, mode, ...(vm ? { vm } : {}) };
    }),
  );
  return { name: sequence.name, steps };
}
