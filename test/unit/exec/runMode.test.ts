import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseMode } from '../../../src/core/exec/runMode';

const defaults = ['*create*', '*shell*', '*ssh*', '*console*', '*login*'];

test('interactive patterns pick the terminal, everything else the console', () => {
  assert.equal(chooseMode('vm-create', defaults), 'terminal');
  assert.equal(chooseMode('shell', defaults), 'terminal');
  assert.equal(chooseMode('db-console', defaults), 'terminal');
  assert.equal(chooseMode('build', defaults), 'console');
  assert.equal(chooseMode('deploy', []), 'console');
  assert.equal(chooseMode('x', ['?']), 'terminal');
});

test('a remembered choice wins over the patterns', () => {
  assert.equal(chooseMode('shell', defaults, 'console'), 'console');
  assert.equal(chooseMode('build', defaults, 'terminal'), 'terminal');
});
