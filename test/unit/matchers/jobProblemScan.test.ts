import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { JobProblemScan } from '../../../src/core/matchers/jobProblemScan';

const OUTPUT = [
  '\x1b[01m\x1b[Kbad.c:3:5:\x1b[m\x1b[K \x1b[01;31m\x1b[Kerror: \x1b[m\x1b[K‘x’ undeclared (first use in this function)\r\n',
  'bad.c:7:1: warning: control reaches end of non-void function [-Wreturn-type]\n',
  "make: *** [Makefile:4: build] Error 1\n",
].join('');

test('problems are found in output cut anywhere into chunks, colours and CRLF included', () => {
  fc.assert(
    fc.property(fc.array(fc.nat(OUTPUT.length), { maxLength: 12 }), (cuts) => {
      const at = [...new Set(cuts)].sort((a, b) => a - b);
      const scan = new JobProblemScan('/src/app');
      let from = 0;
      for (const cut of [...at, OUTPUT.length]) {
        scan.push(OUTPUT.slice(from, cut));
        from = cut;
      }
      scan.end();
      assert.deepEqual(
        scan.problems.map((p) => [p.severity, p.file, p.line, p.column]),
        [
          ['error', '/src/app/bad.c', 3, 5],
          ['warning', '/src/app/bad.c', 7, 1],
          ['error', '/src/app/Makefile', 4, undefined],
        ],
      );
      assert.deepEqual(scan.counts, { errors: 2, warnings: 1 });
    }),
    { numRuns: 200 },
  );
});

test('the last line counts even without a newline, and nothing is taken after the end', () => {
  const scan = new JobProblemScan('/w');
  assert.deepEqual(scan.push('main.go:5:2: undefined: x'), []);
  assert.equal(scan.end().length, 1);
  assert.deepEqual(scan.push('main.go:6:2: undefined: y\n'), []);
  assert.deepEqual(scan.counts, { errors: 1, warnings: 0 });
});
