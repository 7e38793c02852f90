import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { readState, readTokens, writeState } from '../../../src/core/hub/hubLauncher';
import { JobSpool, spoolLines } from '../../../src/core/hub/jobSpool';
import { lockFolder } from '../../../src/core/store/folderLock';
import { FileReadError } from '../../../src/core/util/readBounded';
import { loadOrCreateTokens } from '../../../src/server/tokens';

// The hub's own files — state, tokens, spools, locks — are read bounded: a FIFO put in their
// place is a clear error or is skipped, and nothing waits for a writer that never comes.

const root = mkdtempSync(path.join(os.tmpdir(), 'vmo-hub-files-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => {
  const dir = path.join(root, String(n++));
  mkdirSync(dir);
  return dir;
};
const fifo = (file: string): string => {
  execFileSync('mkfifo', [file]);
  return file;
};

test('a state file that is a FIFO is an error naming it; a missing or damaged one is no hub', () => {
  const dir = fresh();
  assert.equal(readState(dir), undefined);
  writeFileSync(path.join(dir, 'hub.json'), '{not json');
  assert.equal(readState(dir), undefined);
  writeState(dir, { pid: 1, port: 2, url: 'http://127.0.0.1:2', version: '1', tokenFile: '/t' });
  assert.equal(readState(dir)?.port, 2);
  rmSync(path.join(dir, 'hub.json'));
  const file = fifo(path.join(dir, 'hub.json'));
  assert.throws(() => readState(dir), (e: unknown) => e instanceof FileReadError && e.message === `${file} is a FIFO, not a regular file`);
});

test('a token file that is a FIFO or too large is an error naming it', () => {
  const dir = fresh();
  const pipe = fifo(path.join(dir, 'tokens'));
  assert.throws(() => readTokens(pipe), { message: `${pipe} is a FIFO, not a regular file` });
  assert.throws(() => loadOrCreateTokens(pipe), { message: `${pipe} is a FIFO, not a regular file` });
  const big = path.join(dir, 'big');
  writeFileSync(big, `operator ${'x'.repeat(100 * 1024)}\n`);
  assert.throws(() => loadOrCreateTokens(big), { message: /big is 100 KiB, over the 64 KiB limit$/ });
});

test('a spool that is a FIFO is logged and read as empty', () => {
  const logged: string[] = [];
  const spool = new JobSpool(fresh(), (m) => logged.push(m));
  fifo(spool.file('job-1'));
  assert.deepEqual(spool.read('job-1', 0), []);
  assert.deepEqual(logged, [`Skipped the spool ${spool.file('job-1')} is a FIFO, not a regular file`]);
  writeFileSync(spool.file('job-2'), spoolLines([{ type: 'chunks', chunks: [] }]));
  assert.deepEqual(spool.read('job-2', 0).map((e) => e.event.type), ['chunks']);
});

test('a lock file that is a FIFO is taken for a stale lock, not read', () => {
  const dir = fresh();
  fifo(`${dir}.lock`);
  const lock = lockFolder(dir);
  assert.ok(statSync(lock.file).isFile());
  lock.release();
  assert.equal(existsSync(lock.file), false);
});
