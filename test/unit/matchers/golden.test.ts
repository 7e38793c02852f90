import { test } from 'node:test';
import { BUILTIN_MATCHERS } from '../../../src/core/matchers/builtinMatchers';
import { ProblemScanner } from '../../../src/core/matchers/problemScanner';
import type { FoundProblem } from '../../../src/core/matchers/types';
import { assertGolden, relativize } from '../golden';
import { capturedOutputs } from './fixtures';

// Each tool's real output, fed line by line to a scanner running every matcher at once (as a
// console job does), gives the problems in `<name>.expected.json` (UPDATE_GOLDEN=1 rewrites it).
for (const output of capturedOutputs()) {
  test(`matchers golden: ${output.tool}/${output.name}`, () => {
    const scanner = new ProblemScanner(BUILTIN_MATCHERS, output.cwd);
    const found: FoundProblem[] = [];
    for (const line of output.lines) found.push(...scanner.push(line));
    found.push(...scanner.end());
    assertGolden(relativize(found, output.root), output.expectedFile);
  });
}
