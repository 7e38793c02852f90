import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { BatchWriter } from '../../../src/core/store/batchWriter';
import { findMigrationsDir, loadMigrations } from '../../../src/core/store/migrations';
import { createPglite } from '../../../src/core/store/pglite';
import { PgliteJobStore } from '../../../src/core/store/pgliteJobStore';
import { callAs, unprivilegedInCheckout } from '../../harness/unprivileged';
import { lines, newJob, readAll } from './helpers';

const root = mkdtempSync(path.join(os.tmpdir(), 'vmo-pglite-folder-'));
const children = new Set<ChildProcess>();
after(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

const TIMEOUT = { timeout: 180_000 };
const script = path.join(__dirname, 'openFolderProcess.ts');

/** Every migration version this release has, in order. */
const versions = async (): Promise<number[]> => (await loadMigrations(findMigrationsDir())).map((m) => m.version);

/** Starts openFolderProcess.ts; `output` resolves with what it printed once it printed a line. */
function openInChild(dir: string, hold = false): { child: ChildProcess; firstLine: Promise<string>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', script, dir, ...(hold ? ['hold'] : [])], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.add(child);
  const kill = setTimeout(() => child.kill('SIGKILL'), 120_000);
  let out = '';
  const firstLine = new Promise<string>((resolve) => {
    child.stdout!.on('data', (data: Buffer) => {
      out += data.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    child.once('exit', () => resolve(out.split('\n')[0]));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    clearTimeout(kill);
    children.delete(child);
    resolve(code);
  }));
  return { child, firstLine, exited };
}

test('a folder open in one process is refused to a second process, and to a second open here', TIMEOUT, async () => {
  const dir = path.join(root, 'shared');
  const store = await PgliteJobStore.open({ dir });
  assert.equal(readFileSync(`${dir}.lock`, 'utf8').trim(), String(process.pid));
  await assert.rejects(PgliteJobStore.open({ dir }), /in use by process \d+/);

  const second = openInChild(dir);
  assert.match(await second.firstLine, new RegExp(`^refused: The job history folder .* is in use by process ${process.pid}`));
  assert.equal(await second.exited, 1);

  await store.close();
  assert.equal(existsSync(`${dir}.lock`), false, 'the lock is released at close');
  const third = openInChild(dir);
  assert.equal(await third.firstLine, 'opened');
  assert.equal(await third.exited, 0);
});

test('the lock of a process that died is taken over', TIMEOUT, async () => {
  const dir = path.join(root, 'orphaned');
  const holder = openInChild(dir, true);
  assert.equal(await holder.firstLine, 'opened');
  holder.child.kill('SIGKILL');
  await holder.exited;
  assert.equal(readFileSync(`${dir}.lock`, 'utf8').trim(), String(holder.child.pid), 'the dead process left its lock');
  const store = await PgliteJobStore.open({ dir });
  assert.equal(readFileSync(`${dir}.lock`, 'utf8').trim(), String(process.pid));
  await store.migrate();
  await store.close();
});

// Run as a user that file modes apply to (root writes anywhere), in a folder of its own made read-only.
const user = unprivilegedInCheckout();
test('a lock file that cannot be created is named in the error', { ...TIMEOUT, skip: typeof user === 'string' && user }, async (t) => {
  if (typeof user === 'string') return;
  const parent = mkdtempSync(path.join(os.tmpdir(), 'vmo-read-only-'));
  t.after(() => {
    chmodSync(parent, 0o700);
    rmSync(parent, { recursive: true, force: true });
  });
  user.own(parent);
  chmodSync(parent, 0o555);
  const dir = path.join(parent, 'db');
  await assert.rejects(callAs(user, path.resolve(__dirname, '../../../src/core/store/folderLock.ts'), 'lockFolder', [dir]), (err: Error) =>
    err.message.includes(`Could not create the lock file ${dir}.lock: EACCES: permission denied`),
  );
  assert.deepEqual(readdirSync(parent), []);
});

test('jobs outlive a close and a reopen of the folder', TIMEOUT, async () => {
  const dir = path.join(root, 'lasting');
  const job = newJob();
  let store = await PgliteJobStore.open({ dir });
  await store.migrate();
  const writer = new BatchWriter(store);
  writer.started(job);
  writer.chunks(job.id, lines(0, 2500));
  writer.finished(job.id, { status: 'success', exitCode: 0, signal: null, durationMs: 5, finishedAt: job.startedAt + 5 });
  await writer.close();
  await store.close();

  store = await PgliteJobStore.open({ dir });
  assert.deepEqual(await store.migrate(), { applied: [], version: (await versions()).at(-1) });
  assert.equal((await store.getJob(job.id))?.status, 'success');
  assert.deepEqual(await readAll(store, job.id), lines(0, 2500));
  await store.close();
});

test('a folder that cannot be opened is moved aside with a warning, never wiped', TIMEOUT, async () => {
  const dir = path.join(root, 'broken');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'PG_VERSION'), 'not a version\n');
  writeFileSync(path.join(dir, 'keep-me'), 'precious\n');
  const warnings: string[] = [];
  const store = await PgliteJobStore.open({ dir, onWarning: (m) => warnings.push(m) });
  const aside = readdirSync(root).filter((n) => n.startsWith('broken.broken-'));
  assert.equal(aside.length, 1);
  assert.equal(readFileSync(path.join(root, aside[0], 'keep-me'), 'utf8'), 'precious\n');
  assert.equal(warnings.length, 1);
  assert.ok(warnings[0].includes(dir) && warnings[0].includes(path.join(root, aside[0])), warnings[0]);
  await store.migrate();
  await store.jobStarted(newJob());
  assert.equal((await store.listJobs()).jobs.length, 1);
  await store.close();
});

test('a new folder is created by the create option, and here with a warning when that fails; an existing one is only opened', TIMEOUT, async () => {
  const created: string[] = [];
  const dir = path.join(root, 'created-apart');
  const store = await PgliteJobStore.open({ dir, create: async (d) => (created.push(d), createPglite(d)) });
  await store.close();
  assert.deepEqual(created, [dir]);
  const again = await PgliteJobStore.open({ dir, create: async (d) => void created.push(d) });
  await again.close();
  assert.deepEqual(created, [dir], 'an existing folder is not created again');

  const warnings: string[] = [];
  const failing = path.join(root, 'created-here');
  const here = await PgliteJobStore.open({ dir: failing, onWarning: (m) => warnings.push(m), create: () => Promise.reject(new Error('no child process')) });
  await here.migrate();
  await here.close();
  assert.equal(warnings.length, 1);
  assert.ok(warnings[0].includes(failing) && warnings[0].includes('no child process'), warnings[0]);
});

test('a database whose control file was damaged is moved aside too', TIMEOUT, async () => {
  const dir = path.join(root, 'damaged');
  const store = await PgliteJobStore.open({ dir });
  await store.migrate();
  await store.close();
  writeFileSync(path.join(dir, 'global', 'pg_control'), Buffer.alloc(100, 0xab));
  const warnings: string[] = [];
  const reopened = await PgliteJobStore.open({ dir, onWarning: (m) => warnings.push(m) });
  assert.equal(warnings.length, 1);
  assert.equal(readdirSync(root).filter((n) => n.startsWith('damaged.broken-')).length, 1);
  const all = await versions();
  assert.deepEqual(await reopened.migrate(), { applied: all, version: all.at(-1) });
  await reopened.close();
});
