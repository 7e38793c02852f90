import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FindSession, matchRanges } from '../../../webview/lib/find';
import { LineStore } from '../../../webview/lib/lineStore';
import { LogModel } from '../../../webview/lib/logModel';

function store(lines: string[], maxLines = 1_000_000): LineStore {
  const s = new LineStore({ maxLines });
  s.append({ seq: 0, ts: 0, stream: 'stdout', text: lines.join('\n') + '\n' });
  return s;
}

function run(session: FindSession): void {
  session.step(Number.POSITIVE_INFINITY);
}

test('match ranges: case sensitive or not, not overlapping, regex characters literal', () => {
  assert.deepEqual(matchRanges('aAaa', { text: 'aa', caseSensitive: false }), [0, 2, 2, 4]);
  assert.deepEqual(matchRanges('aAaa', { text: 'aa', caseSensitive: true }), [2, 4]);
  assert.deepEqual(matchRanges('x.*y x.*y', { text: '.*', caseSensitive: true }), [1, 3, 6, 8]);
  assert.deepEqual(matchRanges('(a)', { text: '(A)', caseSensitive: false }), [0, 3]);
});

test('find counts every occurrence and walks them in order', () => {
  const s = store(['no', 'error one', 'fine', 'ERROR two error three', 'end']);
  const session = new FindSession(s, { text: 'error', caseSensitive: false });
  run(session);
  assert.equal(session.total, 3);
  assert.equal(session.matchingLines, 2);
  assert.deepEqual([0, 1, 2].map((k) => session.at(k)), [
    { line: 1, occurrence: 0 },
    { line: 3, occurrence: 0 },
    { line: 3, occurrence: 1 },
  ]);
  assert.equal(session.indexOf({ line: 3, occurrence: 1 }), 2);
  assert.equal(session.indexOf({ line: 2, occurrence: 0 }), -1);
  assert.equal(session.firstFrom(2), 1);
  assert.equal(session.lastBefore(3), 0);
});

// How fast is the console bench's to measure (search_ms).
test('a rare string among a million lines is found, case-sensitive or not', () => {
  const s = new LineStore({ maxLines: 1_000_000 });
  const filler = 'compile src/module/file.c with -O2 -Wall -Wextra and link into build/output/object.o ';
  let seq = 0;
  for (let n = 0; n < 1_000_000; ) {
    let text = '';
    for (let i = 0; i < 500; i++, n++) text += `${n} ${filler}${n === 777_777 ? 'NEEDLE-7f3a ' : ''}\n`;
    s.append({ seq: seq++, ts: 0, stream: 'stdout', text });
  }
  assert.equal(s.count, 1_000_000);
  for (const caseSensitive of [true, false]) {
    const session = new FindSession(s, { text: caseSensitive ? 'NEEDLE-7f3a' : 'needle-7F3A', caseSensitive });
    run(session);
    assert.equal(session.total, 1);
    assert.equal(session.at(0)!.line, 777_777);
  }
});

test('find keeps up with appended lines, the line being written and dropped lines', () => {
  const s = new LineStore({ maxLines: 4 });
  s.append({ seq: 0, ts: 0, stream: 'stdout', text: 'hit 1\nmiss\n' });
  const session = new FindSession(s, { text: 'hit', caseSensitive: true });
  run(session);
  assert.equal(session.total, 1);
  s.append({ seq: 1, ts: 0, stream: 'stdout', text: 'progress h' });
  run(session);
  assert.equal(session.total, 1);
  s.append({ seq: 2, ts: 0, stream: 'stdout', text: 'it\n' });
  run(session);
  assert.equal(session.total, 2, 'the finished line is searched again');
  s.append({ seq: 3, ts: 0, stream: 'stdout', text: 'hit 3\nhit 4\n' });
  s.trim();
  run(session);
  assert.equal(s.firstNo, 2);
  assert.equal(session.total, 3, 'the match on the dropped line is gone');
  assert.deepEqual(session.at(0), { line: 2, occurrence: 0 });
});

test('a search is done in slices when it runs out of time', () => {
  const s = store(Array.from({ length: 50_000 }, (_, i) => `line ${i}`));
  const session = new FindSession(s, { text: 'line 49999', caseSensitive: true });
  let clock = 0;
  session.step(1, () => clock++);
  assert.equal(session.done, false);
  run(session);
  assert.equal(session.done, true);
  assert.equal(session.total, 1);
});

test('the model selects the first match from the top line and wraps around', () => {
  const model = new LogModel(1000);
  model.append({ seq: 0, ts: 0, stream: 'stdout', text: 'a x\nb\nc x\nd\ne x\n' });
  model.settle();
  model.setFind({ text: 'x', caseSensitive: true }, 1);
  assert.equal(model.stepFind(Number.POSITIVE_INFINITY), true);
  assert.deepEqual(model.current, { line: 2, occurrence: 0 });
  assert.equal(model.currentIndex, 1);
  model.moveMatch(1);
  assert.equal(model.currentIndex, 2);
  model.moveMatch(1);
  assert.equal(model.currentIndex, 0);
  model.moveMatch(-1);
  assert.equal(model.currentIndex, 2);
});

test('find only looks at the streams shown', () => {
  const model = new LogModel(1000);
  model.append({ seq: 0, ts: 0, stream: 'stdout', text: 'x out\n' });
  model.append({ seq: 1, ts: 0, stream: 'stderr', text: 'x err\n' });
  model.settle();
  model.setStreamFilter([false, true, true]);
  model.setFind({ text: 'x', caseSensitive: true });
  model.stepFind(Number.POSITIVE_INFINITY);
  assert.equal(model.matchCount, 1);
  assert.deepEqual(model.current, { line: 1, occurrence: 0 });
});
