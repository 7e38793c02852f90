import { chooseMode } from '../../core/exec/runMode';
import type { TargetCache } from '../../core/mkcli/targetCache';
import type { NamedSequence } from '../../core/sequences/sequenceFile';
import { vmContext } from '../../core/ssh/vmContext';
import type { Settings } from '../config';
import type { SequenceRequest } from '../jobs/sequenceRun';
import type { TargetPreferences } from '../jobs/targetPreferences';
import type { ProjectsTreeProvider } from '../views/projectsTreeProvider';
import type { VmsTreeProvider } from '../views/vmsTreeProvider';

/** What a named sequence's steps are resolved against. */
export interface SequenceSources {
  projects: ProjectsTreeProvider;
  targets: TargetCache;
  vms: VmsTreeProvider;
  preferences: TargetPreferences;
  settings: () => Settings;
}

// The steps of a named sequence as runs: each project in the mkcli registry, each target one its
// project lists now (a file in the workspace names nothing else to run), each VM one of the
// workspace's. The first that is not is the error; nothing runs then.
export async function sequenceRequest(sources: SequenceSources, sequence: NamedSequence): Promise<SequenceRequest> {
  const entries = (await sources.projects.entries()).entries;
  const s = sources.settings();
  const steps = await Promise.all(
    sequence.steps.map(async (step, i) => {
      const where = `Sequence "${sequence.name}", step ${i + 1} (${step.alias} ${step.target})`;
      const entry = entries.find((e) => e.alias === step.alias);
      if (!entry) throw new Error(`${where}: the project ${step.alias} is not in the mkcli registry.`);
      const listing = await sources.targets.get(entry);
      if (!listing.targets.some((t) => t.name === step.target)) throw new Error(`${where}: ${step.alias} does not list the target ${step.target}.`);
      const node = step.vm === undefined ? undefined : await sources.vms.vm(step.vm);
      if (step.vm !== undefined && !node) throw new Error(`${where}: the VM ${step.vm} is not in this workspace's environments.`);
      const mode = chooseMode(step.target, s.interactiveTargets, sources.preferences.mode(entry.alias, step.target));
      return { entry, target: step.target, args: step.args, mode, ...(node ? { vm: vmContext(node.vm, node.ssh, node.sshConfigFile) } : {}) };
    }),
  );
  return { name: sequence.name, steps };
}
