import { ANSIBLE } from './ansibleResults';
import { MAKE_FATAL, MAKE_RECIPE, TERRAFORM } from './buildToolMatchers';
import { GCC, GO, LD, RUSTC, TSC, TSC_PRETTY } from './compilerMatchers';
import { ESLINT_STYLISH, ESLINT_UNIX } from './lintMatchers';
import { PYTHON_TRACEBACK } from './pythonTraceback';
import type { Matcher } from './types';

// Every matcher the extension runs on a job's output. Order matters where two could match one
// line, as in VS Code: the first wins, so gcc and eslint's unix lines are claimed before go's
// looser pattern sees them, and single-line matchers before the stylish file line.
export const BUILTIN_MATCHERS: readonly Matcher[] = [
  GCC,
  LD,
  TSC,
  TSC_PRETTY,
  ESLINT_UNIX,
  GO,
  MAKE_RECIPE,
  MAKE_FATAL,
  RUSTC,
  TERRAFORM,
  ESLINT_STYLISH,
  PYTHON_TRACEBACK,
  ANSIBLE,
];
