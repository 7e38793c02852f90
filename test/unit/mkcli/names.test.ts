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
