import type { JobMode } from '../../shared/jobs';
import { segmentMatcher } from '../vmconfig/glob';

// Whether a target runs in a terminal (it asks questions, opens a shell, shows a TUI) or in the
// console: the user's choice for that target when there is one, else the interactive patterns.
export function chooseMode(target: string, interactivePatterns: readonly string[], remembered?: JobMode): JobMode {
  if (remembered) return remembered;
  return interactivePatterns.some((p) => segmentMatcher(p).test(target)) ? 'terminal' : 'console';
}
