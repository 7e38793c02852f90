import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { assignmentError, targetError } from '../../../src/core/mkcli/names';

test('from the hub only VAR=value is taken: no make option, no other goal, no variable that changes how make runs', () => {
  for (const ok of ['ENV=staging', 'TAG=', 'X_1=a b=c', 'CONFIRM=yes']) assert.equal(assignmentError(ok), undefined, ok);
  for (const bad of ['-f', '--eval=$(shell id)', '-j4', 'clean', 'SHELL=/tmp/x', 'MAKEFLAGS=-f/tmp/x', 'MAKEFILES=/tmp/x.mk', '.SHELLFLAGS=-c', '=x', '1A=b', 'A=\x1b[2J']) {
    assert.ok(assignmentError(bad), bad);
  }
});

test('whatever word is accepted, make reads it as a plain variable assignment', () => {
  fc.assert(
    fc.property(fc.string(), (word) => {
      if (assignmentError(word) !== undefined) return;
      assert.match(word, /^[A-Za-z_][A-Za-z0-9_]*=/);
      assert.ok(!word.startsWith('-'));
      assert.ok(!/^(SHELL|MAKESHELL|MAKEFLAGS|MFLAGS|GNUMAKEFLAGS|MAKEFILES|MAKE|MAKECMDGOALS|MAKEOVERRIDES)=/.test(word));
    }),
  );
});

test('a target name read from bytes that are not UTF-8 is refused: make would be given U+FFFD, not the bytes', () => {
  assert.match(targetError('caf\ufffd') ?? '', /valid UTF-8/);
  assert.equal(targetError('café'), undefined);
});

test('a target name that would not show as it is is refused: a click runs what the label shows', () => {
  assert.equal(targetError('\u202etset'), 'Expected a target name that shows as it is, got "\\u{202e}tset" (U+202E does not show)');
  for (const bad of ['te\u200bst', 'build\u2066', 'deploy\u3164', 'a\u00adb', 'x\u{e0041}']) assert.match(targetError(bad) ?? '', /shows as it is/, bad);
  assert.equal(targetError('déploiement-ж'), undefined);
});
