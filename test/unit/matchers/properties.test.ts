import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { BUILTIN_MATCHERS } from '../../../src/core/matchers/builtinMatchers';
import { MAX_MATCHED_LINE, ProblemScanner } from '../../../src/core/matchers/problemScanner';
import { isStatefulMatcher, type FoundProblem, type Matcher } from '../../../src/core/matchers/types';
import { capturedOutputs } from './fixtures';

const outputs = capturedOutputs();
const realLines = outputs.flatMap((o) => o.lines);

function scanAll(lines: readonly string[], cwd = '/work', matchers: readonly Matcher[] = BUILTIN_MATCHERS): FoundProblem[] {
  const scanner = new ProblemScanner(matchers, cwd);
  return [...lines.flatMap((line) => scanner.push(line)), ...scanner.end()];
}

// Pieces of the formats the matchers look for, so random lines come close to matching often.
const FRAGMENTS = [
  'bad.c', 'main.go', './x.go', 'src/a.ts', '/abs/f.py', '..', ':', '0', '1', '12', '99999999999999999999', '(', ',', ')',
  ': error: ', ': warning: ', ': note: ', 'fatal error', ' - error TS2322: ', ' [-Wall]', ' [Error/rule]', 'vet: ',
  'Traceback (most recent call last):', '  File "', '<string>', '", line ', ', in f', 'ValueError: v', 'SyntaxError: s', '    ^^^~~',
  "make[1]: Entering directory '", "make[2]: Leaving directory '", "'", 'make: *** [', '] Error 2', ' *** ', '  Stop.',
  'error[E0308]: ', 'warning: ', ' --> ', 'task path: ', 'TASK [t] ', 'fatal: [h]: FAILED! => ', 'failed: [h] (item=', '"msg": "m\\"', '\\u12',
  '│ ', 'Error: ', 'Warning: ', '  on ', ' line ', ', in locals:', '  1:2  error  ', '  rule', '\r', ' ', '\t', '',
  '(3,4): warning TS1: ', ' [Warning]', 'ld: ', 'undefined reference to f', 'multiple definition of g', 'make: *** ',
];
const line = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 12 }).map((parts) => parts.join('')),
  fc.constantFrom(...realLines),
);

function assertWellFormed(problem: FoundProblem): void {
  assert.ok(['error', 'warning', 'info'].includes(problem.severity), problem.severity);
  assert.ok(typeof problem.message === 'string' && problem.message !== '', 'a message');
  assert.ok(problem.source !== '' && problem.matcher.startsWith('vmo-'), 'named');
  for (const n of [problem.line, problem.column, problem.endLine, problem.endColumn]) {
    assert.ok(n === undefined || (Number.isSafeInteger(n) && n >= 1), `position ${n}`);
  }
  if (problem.file !== undefined) {
    assert.ok(path.isAbsolute(problem.file), problem.file);
    assert.equal(typeof problem.printedFile, 'string');
  }
}

test('any lines: the scanner never throws and finds only well-formed problems', () => {
  fc.assert(
    fc.property(fc.array(line, { maxLength: 40 }), fc.constantFrom('/work', 'relative/dir', '/'), (lines, cwd) => {
      for (const problem of scanAll(lines, cwd)) assertWellFormed(problem);
    }),
    { numRuns: 500 },
  );
});

// A matcher's hints only spare it regular expressions: every line its first pattern matches holds
// one, and without them the scanner finds the same.
const hinted = BUILTIN_MATCHERS.flatMap((m) => (isStatefulMatcher(m) || !m.hints ? [] : [m]));
const unhinted = BUILTIN_MATCHERS.map((m): Matcher => (isStatefulMatcher(m) ? m : { ...m, hints: undefined }));

test("any line a matcher's first pattern matches holds one of its hints", () => {
  const firsts = hinted.map((m) => ({ name: m.name, hints: m.hints!, regexp: new RegExp((Array.isArray(m.pattern) ? m.pattern[0] : m.pattern).regexp) }));
  fc.assert(
    fc.property(line, (text) => {
      for (const { name, hints, regexp } of firsts) {
        if (regexp.test(text)) assert.ok(hints.some((hint) => text.includes(hint)), `${name} matches ${JSON.stringify(text)} without a hint`);
      }
    }),
    { numRuns: 5000 },
  );
});

test('any lines: the matchers find the same without their hints', () => {
  fc.assert(
    fc.property(fc.array(line, { maxLength: 40 }), (lines) => assert.deepEqual(scanAll(lines), scanAll(lines, '/work', unhinted))),
    { numRuns: 500 },
  );
});

// A matcher of one line cannot be disturbed by what comes between lines.
const singleLine = new Set(BUILTIN_MATCHERS.filter((m) => !isStatefulMatcher(m) && !Array.isArray(m.pattern)).map((m) => m.name));
const fromSingleLine = (problems: readonly FoundProblem[]): FoundProblem[] => problems.filter((p) => singleLine.has(p.matcher));

// Noise is a line that finds nothing and leaves the scanner as it was: the probe after it
// is still found, in the same folder.
function isNoise(text: string): boolean {
  const found = scanAll([text, 'probe.c:1:1: error: probe'], '/noise');
  return found.length === 1 && found[0].file === '/noise/probe.c';
}
const noise = fc.string({ maxLength: 60 }).filter((text) => !text.includes('\n') && isNoise(text));

for (const output of outputs) {
  const expected = fromSingleLine(scanAll(output.lines, output.cwd));
  if (expected.length === 0) continue;
  test(`noise between the lines of ${output.tool}/${output.name} changes no single-line problem`, () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), noise), { maxLength: 15 }), (insertions) => {
        const lines = [...output.lines];
        for (const [at, text] of insertions) lines.splice(at % (lines.length + 1), 0, text);
        assert.deepEqual(fromSingleLine(scanAll(lines, output.cwd)), expected);
      }),
      { numRuns: 40 },
    );
  });
}

test('megabyte lines are matched on their first MAX_MATCHED_LINE characters and handled quickly', () => {
  const mb = 1024 * 1024;
  const lines = [
    'a'.repeat(mb),
    ' '.repeat(mb),
    `bad.c:1:2: error: ${'x '.repeat(mb / 2)}`,
    '/repo/a.js',
    `  1:2  error  ${' '.repeat(mb)}x`,
    `fatal: [h]: FAILED! => {"msg": "${'\\"'.repeat(mb / 2)}`,
    `  File "${'", line 1'.repeat(mb / 9)}`,
    ':1'.repeat(mb / 2),
    '\r'.repeat(mb),
  ];
  const started = performance.now();
  const found = scanAll(lines);
  assert.ok(performance.now() - started < 2000, 'well under two seconds');
  const [gcc] = found.filter((p) => p.matcher === 'vmo-gcc');
  assert.equal(gcc.line, 1);
  assert.ok(gcc.message.length < MAX_MATCHED_LINE, 'the message is cut with the line');
  for (const problem of found) assertWellFormed(problem);
});
