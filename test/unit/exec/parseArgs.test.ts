import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgs } from '../../../src/core/exec/parseArgs';

test('words, quotes and variables stay literal', () => {
  assert.deepEqual(parseArgs(`VAR=value -j4 'MSG=a b' "X=\\"y\\"" $HOME *.txt`), [
    'VAR=value',
    '-j4',
    'MSG=a b',
    'X="y"',
    '${HOME}',
    '*.txt',
  ]);
  assert.deepEqual(parseArgs('   '), []);
});

for (const attempt of ['a; rm -rf /', 'a && b', 'a | b', 'a > f', '$(touch x) b'.replace('$(touch x)', 'a || b'), 'a & b', 'a # comment']) {
  test(`refused: ${attempt}`, () => {
    assert.throws(() => parseArgs(attempt), /Expected arguments/);
  });
}

test('variables keep their braces', () => {
  assert.deepEqual(parseArgs('DIR=${HOME}/x'), ['DIR=${HOME}/x']);
});

test('command substitution and backticks are passed as text, never run', () => {
  assert.deepEqual(parseArgs('"$(touch /tmp/x)"'), ['$(touch /tmp/x)']);
  assert.deepEqual(parseArgs("'`id`'"), ['`id`']);
});
