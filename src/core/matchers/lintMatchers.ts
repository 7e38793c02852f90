import type { ProblemMatcherDefinition } from './types';

// ESLint's two line-based formats; each `regexp` is kept as the source text VS Code takes.

// stylish, ESLint's default: the file alone on a line, then one indented line per problem
// (`  1:5  error  'x' is never used  no-unused-vars`), the rule after two or more spaces.
export const ESLINT_STYLISH: ProblemMatcherDefinition = {
  name: 'vmo-eslint-stylish',
  source: 'eslint',
  pattern: [
    { regexp: /^(\S.*)$/.source, file: 1 },
    {
      regexp: /^\s+(\d+):(\d+)\s+(error|warning|info)\s+(.*?)(?:\s\s+(\S+))?$/.source,
      line: 1,
      column: 2,
      severity: 3,
      message: 4,
      code: 5,
      loop: true,
    },
  ],
};

/** The unix formatter (a package of its own since ESLint 9): `src/bad.js:1:5: msg [Error/no-undef]`. */
export const ESLINT_UNIX: ProblemMatcherDefinition = {
  name: 'vmo-eslint-unix',
  source: 'eslint',
  pattern: {
    regexp: /^(.+?):(\d+):(\d+): (.*) \[(Error|Warning)(?:\/([^\]]+))?\]$/.source,
    file: 1,
    line: 2,
    column: 3,
    message: 4,
    severity: 5,
    code: 6,
  },
  hints: [' [Error', ' [Warning'],
};
