import type { ProblemMatcherDefinition } from './types';

// make and terraform; each `regexp` is kept as the source text VS Code takes.

// A recipe that failed: `make[2]: *** [Makefile:7: core.o] Error 1` points at the rule, in the
// folder make[2] was in. The message keeps make's own words.
export const MAKE_RECIPE: ProblemMatcherDefinition = {
  name: 'vmo-make-recipe',
  source: 'make',
  severity: 'error',
  pattern: {
    regexp: /^[^\s:]*make(?:\.exe)?(?:\[\d+\])?: \*\*\* (\[([^\]:]+):(\d+): [^\]]*\] Error \d+.*)$/.source,
    message: 1,
    file: 2,
    line: 3,
  },
  hints: [': *** ['],
};

/** A makefile make cannot read or that stops it with $(error): `Makefile:6: *** missing separator.  Stop.`. */
export const MAKE_FATAL: ProblemMatcherDefinition = {
  name: 'vmo-make-fatal',
  source: 'make',
  severity: 'error',
  pattern: {
    regexp: /^([^\s:][^:]*):(\d+): \*\*\* (.+?)(?: {2}Stop\.)?$/.source,
    file: 1,
    line: 2,
    message: 3,
  },
  hints: [': *** '],
};

// terraform validate, plan and apply: `Error: <summary>`, a blank line, `  on main.tf line 7,
// in locals:`. In colour each line of a diagnostic starts with a box-drawing `│ `; with
// -no-color it does not; both are read. A diagnostic that names no file is left alone.
export const TERRAFORM: ProblemMatcherDefinition = {
  name: 'vmo-terraform',
  source: 'terraform',
  pattern: [
    { regexp: /^(?:│ )?(Error|Warning): (.+)$/.source, severity: 1, message: 2 },
    { regexp: /^│?\s*$/.source },
    { regexp: /^(?:│ )?\s*on (.+?) line (\d+)(?:, in .*)?:$/.source, file: 1, line: 2 },
  ],
  hints: ['Error: ', 'Warning: '],
};
