import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findLinks } from '../../../webview/lib/links';

function targets(text: string) {
  return findLinks(text).map((l) => ({ text: text.slice(l.start, l.end), target: l.target }));
}

test('URLs, without the punctuation that ends the sentence', () => {
  assert.deepEqual(targets('see https://example.com/a?b=1&c=2. And (http://x.org/y).'), [
    { text: 'https://example.com/a?b=1&c=2', target: { url: 'https://example.com/a?b=1&c=2' } },
    { text: 'http://x.org/y', target: { url: 'http://x.org/y' } },
  ]);
  assert.deepEqual(targets('https://en.wikipedia.org/wiki/Make_(software), ok'), [
    { text: 'https://en.wikipedia.org/wiki/Make_(software)', target: { url: 'https://en.wikipedia.org/wiki/Make_(software)' } },
  ]);
});

test('compiler and make positions', () => {
  assert.deepEqual(targets('src/main.c:12:5: error: expected ;'), [
    { text: 'src/main.c:12:5', target: { path: 'src/main.c', line: 12, column: 5 } },
  ]);
  assert.deepEqual(targets("Makefile:3: *** missing separator.  Stop."), [{ text: 'Makefile:3', target: { path: 'Makefile', line: 3 } }]);
  assert.deepEqual(targets('make: *** [Makefile:5: build] Error 1'), [{ text: 'Makefile:5', target: { path: 'Makefile', line: 5 } }]);
  assert.deepEqual(targets('    at run (/home/me/app/index.js:10:3)'), [
    { text: '/home/me/app/index.js:10:3', target: { path: '/home/me/app/index.js', line: 10, column: 3 } },
  ]);
  assert.deepEqual(targets('./scripts/build.sh:7 and ../lib/x.py:1:1'), [
    { text: './scripts/build.sh:7', target: { path: './scripts/build.sh', line: 7 } },
    { text: '../lib/x.py:1:1', target: { path: '../lib/x.py', line: 1, column: 1 } },
  ]);
  assert.deepEqual(targets('C:\\src\\app.ts:4:2 - error'), [
    { text: 'C:\\src\\app.ts:4:2', target: { path: 'C:\\src\\app.ts', line: 4, column: 2 } },
  ]);
});

test('times, ports, versions and ratios are not links', () => {
  assert.deepEqual(targets('12:30:45 started; listening on localhost:8080; v1.2:3; 3:1; 2024-01-01T10:00:00Z'), []);
  assert.deepEqual(targets('file.c:0 has no line 0'), []);
});

test('a path inside a URL is part of the URL only', () => {
  assert.deepEqual(targets('https://git.example/r/blob/main/src/a.ts:10'), [
    { text: 'https://git.example/r/blob/main/src/a.ts:10', target: { url: 'https://git.example/r/blob/main/src/a.ts:10' } },
  ]);
});

test('long lines without links are scanned quickly', () => {
  const line = 'a'.repeat(10_000) + '/b'.repeat(2_000) + ':'.repeat(100);
  const start = performance.now();
  findLinks(line);
  assert.ok(performance.now() - start < 100);
});

test('only web addresses are links: the console opens no other scheme', () => {
  assert.deepEqual(targets('see file:///etc/passwd, ftp://host/x and command:workbench.action.terminal.new'), []);
});
