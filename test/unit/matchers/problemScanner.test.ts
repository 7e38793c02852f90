import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { BUILTIN_MATCHERS } from '../../../src/core/matchers/builtinMatchers';
import { countProblems, ProblemScanner } from '../../../src/core/matchers/problemScanner';
import type { FoundProblem, ProblemMatcherDefinition } from '../../../src/core/matchers/types';

/** The problems found in `lines`, end included, by all built-in matchers or `matchers`. */
function scan(lines: readonly string[], matchers = BUILTIN_MATCHERS, cwd = '/work'): FoundProblem[] {
  const scanner = new ProblemScanner(matchers, cwd);
  return [...lines.flatMap((line) => scanner.push(line)), ...scanner.end()];
}

/** Just where and what, for short assertions. */
function brief(problems: readonly FoundProblem[]): string[] {
  return problems.map((p) => `${p.severity} ${p.file ?? '-'}:${p.line ?? '-'}:${p.column ?? '-'} ${p.message}`);
}

test('a problem comes back from the line that completes it', () => {
  const scanner = new ProblemScanner(BUILTIN_MATCHERS, '/work');
  assert.deepEqual(scanner.push('rustc output:'), []);
  assert.deepEqual(scanner.push('error[E0425]: cannot find value `x` in this scope'), []);
  assert.deepEqual(brief(scanner.push(' --> src/lib.rs:3:5')), ['error /work/src/lib.rs:3:5 cannot find value `x` in this scope']);
  assert.deepEqual(scanner.end(), []);
});

test("make's directory lines move relative paths, also when sub-makes of make -j leave out of order", () => {
  const problems = scan([
    "make[1]: Entering directory '/src/a'",
    'x.c:1:1: error: in a',
    "make[2]: Entering directory '/src/a/deep'",
    "make[2]: Entering directory '/src/b'",
    "make[2]: Leaving directory '/src/a/deep'",
    'y.c:2:1: error: in b',
    "make[2]: Leaving directory '/src/b'",
    'z.c:3:1: error: in a again',
    "make[1]: Leaving directory '/src/a'",
    'make: Entering directory `/old/style\'',
    '../w.c:4:1: error: beside old',
    "make: Leaving directory '/not/entered'",
    'v.c:5:1: error: still in old',
  ]);
  assert.deepEqual(
    problems.map((p) => p.file),
    ['/src/a/x.c', '/src/b/y.c', '/src/a/z.c', '/old/w.c', '/old/style/v.c'],
  );
  assert.equal(problems[3].printedFile, '../w.c');
});

test('the relative cwd given is made absolute; absolute paths are kept, normalised', () => {
  const [relative, absolute] = scan(['a.c:1:1: error: x', '/abs/./dir/../b.c:1:1: error: y'], BUILTIN_MATCHERS, 'rel');
  assert.equal(relative.file, path.resolve('rel/a.c'));
  assert.equal(absolute.file, '/abs/b.c');
});

test('what a terminal shows is matched: the text after the last carriage return, CRLF endings trimmed', () => {
  assert.deepEqual(brief(scan(['Building 10%\rBuilding 99%\rmain.go:1:2: bad\r'])), ['error /work/main.go:1:2 bad']);
});

test('eslint stylish: the loop gives one problem a line and ends at the first line that does not match', () => {
  const problems = scan([
    '/repo/a.js',
    '  1:5  error    x is never used  no-unused-vars',
    '  2:1  warning  Parsing error: Unexpected token',
    '',
    '  3:1  error  not after a file line  no-undef',
  ]);
  assert.deepEqual(brief(problems), ['error /repo/a.js:1:5 x is never used', 'warning /repo/a.js:2:1 Parsing error: Unexpected token']);
  assert.deepEqual(
    problems.map((p) => p.code),
    ['no-unused-vars', undefined],
  );
});

test('the first matcher in order wins a line that two could match', () => {
  const [problem] = scan(['main.go:3:1: warning: from a C compiler']);
  assert.equal(problem.matcher, 'vmo-gcc');
  assert.equal(problem.severity, 'warning');
});

test("severity: the tool's word mapped as VS Code maps it, else the matcher's own, else error", () => {
  const definition: ProblemMatcherDefinition = {
    name: 'vmo-test',
    pattern: { regexp: /^(\S+) (\w+) (.*)$/.source, file: 1, severity: 2, message: 3 },
  };
  const words = ['ERROR', 'Warn', 'note', 'hint', 'info', 'fatal', 'constructor'];
  const found = scan(words.map((w) => `f ${w} m`), [definition]);
  assert.deepEqual(
    found.map((p) => p.severity),
    ['error', 'warning', 'info', 'info', 'info', 'error', 'error'],
  );
  assert.deepEqual(
    scan(['f fatal m'], [{ ...definition, severity: 'warning' }]).map((p) => p.severity),
    ['warning'],
  );
  assert.equal(found[0].source, 'test', 'a definition without a source is named by its matcher');
});

test('as in VS Code, a data match without a file or message is no problem; a 0 line is no line', () => {
  const definition: ProblemMatcherDefinition = {
    name: 'vmo-test',
    pattern: { regexp: /^(\S*):(\d+):(.*)$/.source, file: 1, line: 2, message: 3 },
  };
  assert.deepEqual(brief(scan([':1:no file', 'f:1:', 'f:0:zero', 'f:99999999999999999999:huge'], [definition])), [
    'error /work/f:-:- zero',
    'error /work/f:-:- huge',
  ]);
});

test('a message over several patterns is joined with newlines; other fields keep the first group', () => {
  const definition: ProblemMatcherDefinition = {
    name: 'vmo-test',
    pattern: [
      { regexp: /^A (\S+) (.*)$/.source, file: 1, message: 2 },
      { regexp: /^B (\S+) (.*)$/.source, file: 1, message: 2 },
    ],
  };
  const [problem] = scan(['A first.c one', 'B second.c two'], [definition]);
  assert.equal(problem.file, '/work/first.c');
  assert.equal(problem.message, 'one\ntwo');
});

test('python: a traceback cut short is reported at its last frame, by the next unrelated line or at the end', () => {
  const traceback = ['Traceback (most recent call last):', '  File "/app/run.py", line 4, in <module>', '    main()'];
  const cut = 'Uncaught exception (the traceback was cut short)';
  assert.deepEqual(brief(scan(traceback)), [`error /app/run.py:4:- ${cut}`]);
  assert.deepEqual(brief(scan([...traceback, 'Killed by the user'])), [`error /app/run.py:4:- ${cut}`]);
  assert.deepEqual(brief(scan([...traceback, ...traceback, 'KeyboardInterrupt'])), [`error /app/run.py:4:- ${cut}`, 'error /app/run.py:4:- KeyboardInterrupt']);
  assert.deepEqual(scan(['Traceback (most recent call last):']), [], 'no frame yet, nothing to show');
});

test('python: frames that are no files give a problem without a place; a bare frame needs an *Error after it', () => {
  assert.deepEqual(brief(scan(['Traceback (most recent call last):', '  File "<string>", line 1, in <module>', 'NameError: x'])), ['error -:-:- NameError: x']);
  assert.deepEqual(brief(scan(['  File "app.py", line 2', '    if x', '        ^', 'IndentationError: expected an indented block'])), [
    'error /work/app.py:2:- IndentationError: expected an indented block',
  ]);
  assert.deepEqual(scan(['  File "app.py", line 2', 'not an error']), []);
  assert.deepEqual(scan(['  File "app.py", line 2', '    a', '    b', '    c', '    d', 'SyntaxError: too far']), []);
});

test('ansible: a task path belongs to its task only; failed loop items are problems too', () => {
  const problems = scan([
    'TASK [one] ***',
    'task path: /play/site.yml:3',
    'TASK [two] ***',
    'failed: [web1] (item=nginx) => {"ansible_loop_var": "item", "item": "nginx", "msg": "No package \\"nginx\\" found"}',
    'task path: /play/site.yml:9',
    'fatal: [web2]: FAILED! => {"changed": false}',
    'fatal: [web3]: UNREACHABLE! => {"msg": "cut off in the midd',
  ]);
  assert.deepEqual(brief(problems), [
    'error -:-:- web1 (item=nginx): FAILED! No package "nginx" found',
    'error /play/site.yml:9:- web2: FAILED!',
    'error /play/site.yml:9:- web3: UNREACHABLE!',
  ]);
});

test('end() forgets a loop in progress', () => {
  const scanner = new ProblemScanner(BUILTIN_MATCHERS, '/work');
  scanner.push('/repo/a.js');
  assert.equal(scanner.push('  1:5  error  m  r').length, 1);
  scanner.end();
  assert.deepEqual(scanner.push('  2:5  error  m  r'), []);
});

test('countProblems counts errors and warnings; infos are in neither', () => {
  const found = scan(['a.c:1:1: error: e', 'a.c:2:1: warning: w', 'a.c:3:1: note: n', 'a.c:4:1: fatal error: f']);
  assert.deepEqual(countProblems(found), { errors: 2, warnings: 1 });
  assert.deepEqual(countProblems([]), { errors: 0, warnings: 0 });
});
