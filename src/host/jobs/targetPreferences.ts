import type * as vscode from 'vscode';
import { parseArgs } from '../../core/exec/parseArgs';
import { chooseMode } from '../../core/exec/runMode';
import type { JobMode } from '../../shared/jobs';

// What the user chose for a target in this workspace — terminal or console, and its
// arguments — remembered so that the next click does the same.
export class TargetPreferences {
  constructor(private readonly memento: vscode.Memento) {}

  mode(alias: string, target: string): JobMode | undefined {
    return this.memento.get<JobMode>(key('mode', alias, target));
  }

  /** Where a click runs the target: where the user last chose, else a terminal when it is one of `interactiveTargets`. */
  clickMode(alias: string, target: string, interactiveTargets: readonly string[]): JobMode {
    return chooseMode(target, interactiveTargets, this.mode(alias, target));
  }

  /** The arguments a click passes: the ones last given, split. */
  clickArgs(alias: string, target: string): string[] {
    return parseArgs(this.argsText(alias, target));
  }

  setMode(alias: string, target: string, mode: JobMode): Thenable<void> {
    return this.memento.update(key('mode', alias, target), mode);
  }

  /** The arguments as the user typed them (to show again), not yet split. */
  argsText(alias: string, target: string): string {
    return this.memento.get<string>(key('args', alias, target), '');
  }

  setArgsText(alias: string, target: string, text: string): Thenable<void> {
    return this.memento.update(key('args', alias, target), text);
  }

  /** True once the user said not to ask again before the steps of this digest run (confirmSequence.ts). */
  sequenceConfirmed(digest: string): boolean {
    return this.memento.get<string[]>(SEQUENCES_KEY, []).includes(digest);
  }

  confirmSequence(digest: string): Thenable<void> {
    // The newest few: a sequence edited often leaves digests of steps that no longer exist.
    const kept = this.memento.get<string[]>(SEQUENCES_KEY, []).filter((d) => d !== digest).slice(-(MAX_CONFIRMED_SEQUENCES - 1));
    return this.memento.update(SEQUENCES_KEY, [...kept, digest]);
  }
}

const SEQUENCES_KEY = 'vmOrchestrator.confirmedSequences';
const MAX_CONFIRMED_SEQUENCES = 200;

function key(what: string, alias: string, target: string): string {
  return `vmOrchestrator.${what}:${alias}:${target}`;
}
