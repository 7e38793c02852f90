import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { runCapture } from '../../../src/core/exec/runCapture';

// A program that writes `lines` lines to stdout one write at a time, as make does, and one line
// to stderr; then it says on stderr what its stdout is, a file or a pipe (node's pipes are sockets).
const writer = (lines: number): string[] => [
  '-e',
  `const fs = require('fs');
   for (let i = 0; i < ${lines}; i++) fs.writeSync(1, 'line ' + i + '\\n');
   fs.writeSync(2, 'to stderr\\n');
   const out = fs.fstatSync(1);
   fs.writeSync(2, (out.isFile() ? 'file' : out.isSocket() || out.isFIFO() ? 'pipe' : 'other') + '\\n');`,
];
const expected = (lines: number): string => Array.from({ length: lines }, (_, i) => `line ${i}\n`).join('');
// Descriptors of this process still open on an output file (removed, so named "… (deleted)").
const outputFds = (): string[] =>
  readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      return target.includes('vmo-output-') ? [target] : [];
    } catch {
      return []; // closed meanwhile, as readdir's own descriptor is
    }
  });

let tmp: string;
let savedTmpdir: string | undefined;
beforeEach(() => {
  savedTmpdir = process.env.TMPDIR;
  tmp = mkdtempSync(path.join(os.tmpdir(), 'vmo-capture-'));
  process.env.TMPDIR = tmp;
});
afterEach(() => {
  if (savedTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmpdir;
  rmSync(tmp, { recursive: true, force: true });
});

test('stdout written line by line is read whole from a file that never has a name on disk', async () => {
  const result = await runCapture(process.execPath, writer(20_000), { timeoutMs: 20_000 });
  assert.equal(result.exitCode, 0);
  assert.equal(result.stdout, expected(20_000));
  assert.equal(result.stderr, 'to stderr\nfile\n');
  assert.equal(result.truncated, false);
  assert.deepEqual(readdirSync(tmp), [], 'nothing left in the temporary folder');
  assert.deepEqual(outputFds(), [], 'the file is closed');
});

test('stdout over maxBytes is cut there and said to be', async () => {
  const result = await runCapture(process.execPath, writer(1000), { timeoutMs: 20_000, maxBytes: 100 });
  assert.equal(result.stdout, expected(1000).slice(0, 100));
  assert.equal(result.truncated, true);
});

test('a temporary folder that takes no file: stdout comes through a pipe instead', async () => {
  process.env.TMPDIR = path.join(tmp, 'missing');
  const result = await runCapture(process.execPath, writer(500), { timeoutMs: 20_000 });
  assert.equal(result.stdout, expected(500));
  assert.equal(result.stderr, 'to stderr\npipe\n');
});

test('a program that cannot start is an error in the result, and its file is closed', async () => {
  const result = await runCapture(path.join(tmp, 'no-such-program'), [], { timeoutMs: 5000 });
  assert.equal(result.spawnError?.message.includes('ENOENT'), true);
  assert.equal(result.stdout, '');
  assert.deepEqual(outputFds(), []);
});

test('arguments spawn refuses reject the run, and its file is closed', async () => {
  await assert.rejects(runCapture(process.execPath, ['-e', 'a\0b'], { timeoutMs: 5000 }), /null bytes/);
  assert.deepEqual(outputFds(), []);
});
