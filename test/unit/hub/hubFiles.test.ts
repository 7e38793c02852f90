import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { readState, readTokens, writeState } from '../../../src/core/hub/hubLauncher';
import { JobSpool, spoolLines } from '../../../src/core/hub/jobSpool';
import { newReporterKey, REPORTER_KEY_FILE, spoolKey } from '../../../src/core/hub/reporterKey';
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

test("a spool folder's reporter key is kept 0600 and read back; one that is a FIFO, too large or no key is logged and replaced", () => {
  const logged: string[] = [];
  const log = (m: string): void => void logged.push(m);
  const dir = fresh();
  const file = path.join(dir, REPORTER_KEY_FILE);
  const given = newReporterKey();
  assert.equal(spoolKey(dir, given, log), given);
  assert.equal(readFileSync(file, 'utf8'), `${given}\n`);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  // The key kept wins: the folder's spools were reported with it.
  assert.equal(spoolKey(dir, newReporterKey(), log), given);
  assert.equal(spoolKey(dir, undefined, log), given);
  assert.deepEqual(logged, [`The spool folder ${dir} was reported with a key of its own, which its jobs keep`]);

  for (const [put, said] of [
    [() => fifo(file), `Skipped the reporter key ${file} is a FIFO, not a regular file; a new one replaces it`],
    [() => writeFileSync(file, 'x'.repeat(4096)), `Skipped the reporter key ${file} is 4 KiB, over the 1 KiB limit; a new one replaces it`],
    [() => writeFileSync(file, 'not a key\n'), `${file} holds no reporter key; a new one replaces it`],
  ] as const) {
    rmSync(file);
    put();
    logged.length = 0;
    const key = spoolKey(dir, undefined, log);
    assert.match(key, /^[0-9a-f]{64}$/);
    assert.notEqual(key, given);
    assert.equal(readFileSync(file, 'utf8'), `${key}\n`);
    assert.deepEqual(logged, [said]);
  }
  // A folder put in its place cannot be replaced: the key still serves this reporter, and the log says what is lost.
  rmSync(file);
  mkdirSync(file);
  logged.length = 0;
  assert.equal(spoolKey(dir, given, log), given);
  assert.equal(logged.length, 2);
  assert.match(logged[1], /^Could not keep the reporter key in .* a later window cannot report the jobs this one leaves spooled there$/);
});
