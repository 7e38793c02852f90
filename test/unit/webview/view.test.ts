import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CreditFeed } from '../../../webview/lib/creditFeed';
import { formatCommand, formatDuration, quotePosix } from '../../../src/shared/format';
import { formatElapsed } from '../../../webview/lib/format';
import { LineStore } from '../../../webview/lib/lineStore';
import { LineView } from '../../../webview/lib/lineView';
import { OlderOutput } from '../../../webview/lib/olderOutput';
import { RowMap } from '../../../webview/lib/rowMap';
import { buildSegments, MatchKind } from '../../../webview/lib/rows';
import { StyleTable } from '../../../webview/lib/styles';
import { readViewState } from '../../../webview/console/viewState';

function setup(maxLines = 100) {
  const store = new LineStore({ maxLines });
  const view = new LineView(store);
  const rows = new RowMap(store, view);
  return { store, view, rows };
}

test('the stream filter maps positions to lines and follows appends and drops', () => {
  const { store, view } = setup(6);
  store.append({ seq: 0, ts: 0, stream: 'stdout', text: 'o0\no1\n' });
  store.append({ seq: 1, ts: 0, stream: 'stderr', text: 'e2\n' });
  store.append({ seq: 2, ts: 0, stream: 'stdout', text: 'o3\n' });
  view.setFilter([false, true, true]);
  assert.equal(view.count, 1);
  assert.equal(view.lineAt(0), 2);
  view.setFilter([true, false, true]);
  assert.deepEqual([0, 1, 2].map((p) => view.lineAt(p)), [0, 1, 3]);
  store.append({ seq: 3, ts: 0, stream: 'stderr', text: 'e4\ne5\n' });
  store.append({ seq: 4, ts: 0, stream: 'stdout', text: 'o6\n' });
  store.trim();
  view.sync();
  // Seven lines, six kept: o0 goes, and o1 with it (same chunk).
  assert.equal(store.firstNo, 2);
  assert.deepEqual([0, 1].map((p) => view.lineAt(p)), [3, 6]);
  assert.equal(view.count, 2);
  assert.equal(view.positionOf(2), 0);
  assert.equal(view.positionOf(4), 1);
  assert.equal(view.positionOf(7), 2);
});

test('wrapped rows are estimated from the line length and kept up to date', () => {
  const { store, view, rows } = setup(3);
  store.append({ seq: 0, ts: 0, stream: 'stdout', text: 'x'.repeat(25) + '\n' });
  store.append({ seq: 1, ts: 0, stream: 'stdout', text: 'short\n' });
  store.append({ seq: 2, ts: 0, stream: 'stdout', text: 'y'.repeat(10) });
  view.sync();
  rows.sync(true, 10, 0);
  assert.equal(rows.totalRows, 3 + 1 + 1);
  assert.equal(rows.rowsBefore(2), 4);
  assert.equal(rows.positionAtRow(2), 0);
  assert.equal(rows.positionAtRow(3), 1);
  assert.equal(rows.positionAtRow(4.5), 2);
  // The line being written grows.
  store.append({ seq: 3, ts: 0, stream: 'stdout', text: 'y'.repeat(15) + '\nz\n' });
  store.trim();
  view.sync();
  rows.sync(true, 10, 0);
  assert.equal(store.firstNo, 1);
  assert.equal(rows.totalRows, 1 + 3 + 1);
  assert.equal(rows.positionAtRow(1), 1);
  // A timestamp column takes room in every row.
  rows.sync(true, 10, 6);
  assert.equal(rows.totalRows, 2 + 4 + 1);
  rows.sync(false, 10, 6);
  assert.equal(rows.totalRows, 3);
});

test('row map stays right over many drops', () => {
  const { store, view, rows } = setup(1000);
  for (let seq = 0; seq < 200; seq++) {
    let text = '';
    for (let i = 0; i < 100; i++) text += 'w'.repeat((seq * 100 + i) % 30) + '\n';
    store.append({ seq, ts: 0, stream: 'stdout', text });
    store.trim();
    view.sync();
    rows.sync(true, 10, 0);
  }
  let expected = 0;
  for (let p = 0; p < view.count; p++) expected += Math.max(1, Math.ceil(store.text(view.lineAt(p)).length / 10));
  assert.equal(rows.totalRows, expected);
});

test('segments split at styles, links and matches', () => {
  const styles = new StyleTable();
  const red = styles.intern(2, 0, 0, null);
  const text = 'see src/a.c:1 now';
  const segments = buildSegments(
    text,
    [0, 0, 4, red],
    styles,
    [{ start: 4, end: 13, target: { path: 'src/a.c', line: 1 } }],
    [6, 9, 14, 17],
    1,
  );
  assert.deepEqual(
    segments.map((s) => [s.text, s.css.color ?? '', s.link ? 'link' : '', s.match]),
    [
      ['see ', '', '', MatchKind.none],
      ['sr', 'var(--vmo-ansi-1)', 'link', MatchKind.none],
      ['c/a', 'var(--vmo-ansi-1)', 'link', MatchKind.match],
      ['.c:1', 'var(--vmo-ansi-1)', 'link', MatchKind.none],
      [' ', 'var(--vmo-ansi-1)', '', MatchKind.none],
      ['now', 'var(--vmo-ansi-1)', '', MatchKind.current],
    ],
  );
});

test('inverse swaps colours, bold brightens the first eight', () => {
  const styles = new StyleTable();
  const inverse = styles.intern(2, 0, 16, null);
  assert.deepEqual(styles.css(inverse), { color: 'var(--vmo-bg)', background: 'var(--vmo-ansi-1)', className: '' });
  const boldInverse = styles.intern(2, 0, 16 | 1, null);
  assert.deepEqual(styles.css(boldInverse), { color: 'var(--vmo-bg)', background: 'var(--vmo-ansi-9)', className: 'sb' });
  const bold = styles.intern(2, 0, 1, null);
  assert.equal(styles.css(bold).color, 'var(--vmo-ansi-9)');
  const cube = styles.intern(1 + 196, 1 + 244, 0, null);
  assert.deepEqual([styles.css(cube).color, styles.css(cube).background], ['rgb(255,0,0)', 'rgb(128,128,128)']);
});

test('credit feed: drains within the deadline, counts consumed characters', () => {
  const feed = new CreditFeed();
  feed.push([
    { seq: 0, ts: 0, stream: 'stdout', text: 'abc' },
    { seq: 1, ts: 0, stream: 'stdout', text: 'de' },
  ]);
  const seen: number[] = [];
  let clock = 0;
  assert.equal(feed.drain((c) => seen.push(c.seq), 0, () => clock++), 1);
  assert.equal(feed.consumed, 3);
  assert.equal(feed.pending, true);
  feed.drain((c) => seen.push(c.seq), Infinity);
  assert.deepEqual(seen, [0, 1]);
  assert.equal(feed.consumed, 5);
  assert.equal(feed.pending, false);
  feed.reset();
  assert.equal(feed.consumed, 0);
});

test('credit feed: a skip drops what waits and counts it as consumed, with what the caller held back', () => {
  const feed = new CreditFeed();
  feed.push([
    { seq: 0, ts: 0, stream: 'stdout', text: 'abc' },
    { seq: 1, ts: 0, stream: 'stdout', text: 'de' },
  ]);
  feed.drain(() => undefined, 0, () => 1);
  feed.skip(7);
  assert.deepEqual([feed.consumed, feed.queued, feed.pending], [12, 0, false]);
  feed.push([{ seq: 9, ts: 0, stream: 'stdout', text: 'f' }]);
  const seen: number[] = [];
  feed.drain((c) => seen.push(c.seq), Infinity);
  assert.deepEqual([seen, feed.consumed], [[9], 13]);
});

test('older output: an answer to a request made before a reset is not shown', () => {
  const store = new LineStore({ maxLines: 100 });
  store.append({ seq: 40, ts: 0, stream: 'stdout', text: 'forty\n' });
  const older = new OlderOutput();
  older.reset(true);
  assert.equal(older.request(store), 40);
  const answer = [{ seq: 39, ts: 0, stream: 'stdout' as const, text: 'thirty-nine\n' }];
  older.reset(true);
  assert.equal(older.answered(answer, true), false, 'the lines shown changed meanwhile');
  assert.equal(older.request(store), 40);
  assert.equal(older.answered([{ ...answer[0]!, seq: 12 }], true), false, 'not the chunks before the one asked for');
  assert.equal(older.answered(answer, true), true);
});

test('commands and durations for display', () => {
  assert.equal(quotePosix('build'), 'build');
  assert.equal(quotePosix(''), "''");
  assert.equal(quotePosix("it's"), "'it'\\''s'");
  assert.equal(formatCommand(['make', '-C', '/my dir', 'VAR=a b', 'build']), "make -C '/my dir' 'VAR=a b' build");
  assert.equal(formatDuration(850), '850 ms');
  assert.equal(formatDuration(12_345), '12.3 s');
  assert.equal(formatDuration(184_000), '3 min 04 s');
  assert.equal(formatDuration(3_725_000), '1 h 02 min');
  // One rule for every view: cut, never rounded up into the next unit.
  assert.equal(formatDuration(59_960), '59.9 s');
  assert.equal(formatDuration(999.7), '999 ms');
  assert.equal(formatDuration(3_599_999), '59 min 59 s');
  assert.equal(formatDuration(-1), '');
  assert.equal(formatElapsed(400), '0 s');
  assert.equal(formatElapsed(59_999), '59 s');
  assert.equal(formatElapsed(61_000), '1 min 01 s');
});

test('saved view state is read back only when well-formed', () => {
  const state = {
    v: 1,
    jobId: 'j',
    wrap: true,
    timestamps: false,
    follow: false,
    streams: [true, false, true],
    findOpen: true,
    findText: 'err',
    caseSensitive: false,
    anchor: { seq: 3, line: 2 },
  };
  assert.deepEqual(readViewState(state), state);
  assert.equal(readViewState({ ...state, v: 2 }), undefined);
  assert.equal(readViewState({ ...state, streams: [true] }), undefined);
  assert.equal(readViewState({ ...state, anchor: { seq: -1, line: 0 } }), undefined);
  assert.equal(readViewState(null), undefined);
});
