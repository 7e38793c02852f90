// A question before a run that this window's user did not click must be seen whole: the dialog
// scrolls its text out of sight without a scroll bar, and draws a title of more than one line over
// the text below it. One that does not fit goes to an editor instead (askToRun).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitsDialog, MAX_QUESTION_CHARS, MAX_TITLE_CHARS, shortTitle } from '../../../src/core/jobs/runQuestion';

test('fitsDialog: a question of one title line and at most MAX_QUESTION_CHARS fits, one character more does not', () => {
  assert.equal(fitsDialog({ message: 'Run this, asked for through the hub?', detail: 'make -C /src/web build VERSION=1\n\nIn /src/web.' }), true);
  const edge = { message: 'm'.repeat(MAX_TITLE_CHARS), detail: 'd'.repeat(MAX_QUESTION_CHARS - MAX_TITLE_CHARS) };
  assert.equal(fitsDialog(edge), true);
  assert.equal(fitsDialog({ ...edge, detail: `${edge.detail}d` }), false);
  assert.equal(fitsDialog({ message: 'Run this?', detail: `make build ${'NOTE=x '.repeat(300)}DEPLOY_TO=production` }), false);
  assert.equal(fitsDialog({ message: 'm'.repeat(MAX_TITLE_CHARS + 1), detail: '' }), false);
});

test('shortTitle: a title longer than a line of the dialog gives way to the short one', () => {
  assert.equal(shortTitle('Run web build?', 'Run this?'), 'Run web build?');
  assert.equal(shortTitle(`Run web ${'t'.repeat(MAX_TITLE_CHARS)}?`, 'Run this?'), 'Run this?');
});
