import type { ProblemMatcherDefinition } from './types';

// Compilers' one-line diagnostics, and rustc's two lines. Each `regexp` is written as a regular
// expression literal for syntax checking and kept as its source text, the form VS Code takes.

/** gcc and clang: `bad.c:9:15: error: …`, `fatal error:`, notes; a `[-Wflag]` becomes the code. */
export const GCC: ProblemMatcherDefinition = {
  name: 'vmo-gcc',
  source: 'gcc',
  pattern: {
    regexp: /^(.+?):(\d+):(?:(\d+):)?\s+(?:fatal\s+)?(error|warning|note):\s+(.*?)(?: \[(-W[^\]\s]+)\])?$/.source,
    file: 1,
    line: 2,
    column: 3,
    severity: 4,
    message: 5,
    code: 6,
  },
  hints: ['error:', 'warning:', 'note:'],
};

// The linker names a line only when the object has debug information (`gcc -g`):
// `/x/link.c:4: undefined reference to 'f'`. Without it, `link.c:(.text+0xa): …` has no line
// and is left alone.
export const LD: ProblemMatcherDefinition = {
  name: 'vmo-ld',
  source: 'ld',
  severity: 'error',
  pattern: {
    regexp: /^(?:\S*ld: )?([^\s:][^:]*):(\d+):(?:\([^)]*\):)? ((?:undefined reference|multiple definition) .*)$/.source,
    file: 1,
    line: 2,
    message: 3,
  },
  hints: ['undefined reference', 'multiple definition'],
};

/** Where tsc's two formats put the file, position, severity, code and message. */
const TSC_GROUPS = { file: 1, line: 2, column: 3, severity: 4, code: 5, message: 6 } as const;

/** tsc --pretty false: `src/bad.ts(6,35): error TS2322: …`. */
export const TSC: ProblemMatcherDefinition = {
  name: 'vmo-tsc',
  source: 'tsc',
  pattern: { regexp: /^(.+?)\((\d+),(\d+)\): (error|warning) (TS\d+): (.*)$/.source, ...TSC_GROUPS },
  hints: ['): error TS', '): warning TS'],
};

/** tsc's default when it writes to a terminal, colours stripped: `src/bad.ts:6:35 - error TS2322: …`. */
export const TSC_PRETTY: ProblemMatcherDefinition = {
  name: 'vmo-tsc-pretty',
  source: 'tsc',
  pattern: { regexp: /^(.+?):(\d+):(\d+) - (error|warning) (TS\d+): (.*)$/.source, ...TSC_GROUPS },
  hints: [' - error TS', ' - warning TS'],
};

// go build, go vet (`vet: ./main.go:10:14: …` too) and go test (`    util_test.go:7: …`, no
// column). Go says no severity: all are errors. go test names the file relative to the
// package's folder, so it resolves right when the package tested is the current one.
export const GO: ProblemMatcherDefinition = {
  name: 'vmo-go',
  source: 'go',
  severity: 'error',
  pattern: {
    regexp: /^\s*(?:vet: )?([^\s:][^:]*\.go):(\d+)(?::(\d+))?: (.*)$/.source,
    file: 1,
    line: 2,
    column: 3,
    message: 4,
  },
  hints: ['.go:'],
};

/** rustc and cargo: `error[E0308]: mismatched types` then ` --> src/main.rs:7:24`. */
export const RUSTC: ProblemMatcherDefinition = {
  name: 'vmo-rustc',
  source: 'rustc',
  pattern: [
    { regexp: /^(error|warning)(?:\[(\w+)\])?: (.*)$/.source, severity: 1, code: 2, message: 3 },
    { regexp: /^\s*--> (.+?):(\d+):(\d+)$/.source, file: 1, line: 2, column: 3 },
  ],
  hints: ['error', 'warning'],
};
