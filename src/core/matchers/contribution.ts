import { BUILTIN_MATCHERS } from './builtinMatchers';
import { isStatefulMatcher, type Matcher, type ProblemMatcherDefinition } from './types';

/** One entry of package.json's `contributes.problemMatchers`. */
export interface ContributedProblemMatcher extends ProblemMatcherDefinition {
  owner: string;
  fileLocation: [string, string];
}

const PROBLEM_MATCHER_OWNER = 'vm-orchestrator';

// The matchers as package.json contributes them to VS Code, for tasks (`"problemMatcher":
// "$vmo-gcc"`): the same definitions, a stateful matcher by its approximation or not at all.
// Paths are taken as printed when absolute, else against the workspace folder.
export function problemMatcherContributions(matchers: readonly Matcher[] = BUILTIN_MATCHERS): ContributedProblemMatcher[] {
  return matchers.flatMap((matcher) => {
    const definition = isStatefulMatcher(matcher) ? matcher.contribution : matcher;
    if (!definition) return [];
    const { name, source, severity, pattern } = definition;
    return [
      {
        name,
        owner: PROBLEM_MATCHER_OWNER,
        ...(source === undefined ? {} : { source }),
        ...(severity === undefined ? {} : { severity }),
        fileLocation: ['autoDetect', '${workspaceFolder}'],
        pattern,
      },
    ];
  });
}
