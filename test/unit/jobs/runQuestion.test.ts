// A question before a run that this window's user did not click is seen whole or not asked: the
// dialog scrolls its text out of sight without a scroll bar, and draws a title of more than one
// line over the text below it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_QUESTION_CHARS, MAX_TITLE_CHARS, shownWhole } from '../../../src/core/jobs/runQuestion';

test('shownWhole: a question that fits is asked as it is', () => {
  const question = { message: 'Run this, asked for through the hub?', detail: 'make -C /src/web build VERSION=1\n\nIn /src/web.' };
  assert.equal(shownWhole(question, 'The question'), question);
  const edge = { message: 'm'.repeat(MAX_TITLE_CHARS), detail: 'd'.repeat(MAX_QUESTION_CHARS - MAX_TITLE_CHARS) };
  assert.equal(shownWhole(edge, 'The question'), edge);
});

test('shownWhole: a longer one is refused, saying why: its tail would be out of sight', () => {
  assert.throws(
    () => shownWhole({ message: 'Run this?', detail: `make build ${'NOTE=x '.repeat(300)}DEPLOY_TO=production` }, 'The question to its user'),
    /^Error: The question to its user would be 2140 characters long, too long for the dialog to show whole \(at most 1250\), so it is not run\.$/,
  );
  assert.throws(() => shownWhole({ message: 'm'.repeat(MAX_TITLE_CHARS + 1), detail: '' }, 'The question'), /title longer than a line/);
});
