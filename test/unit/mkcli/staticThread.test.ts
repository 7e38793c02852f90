import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { RegistryEntry } from '../../../src/core/mkcli/registry';
import type { StaticListing } from '../../../src/core/mkcli/staticTargets';
import { StaticReaderThread } from '../../../src/core/mkcli/staticThread';
import { TargetCache } from '../../../src/core/mkcli/targetCache';
import { listTargets, type ListOptions } from '../../../src/core/mkcli/targets';
import { tsxThreadScript } from '../../harness/tsxThread';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'vmo-static-thread-'));
const script = tsxThreadScript(scratch, path.resolve(__dirname, '../../../src/core/mkcli/staticWorker.ts'));
const threads: StaticReaderThread[] = [];
after(() => {
  threads.forEach((t) => t.dispose());
  rmSync(scratch, { recursive: true, force: true });
});

function thread(idleMs?: number): StaticReaderThread {
  const t = new StaticReaderThread(script, idleMs);
  threads.push(t);
  return t;
}

function project(name: string, makefile: string): RegistryEntry {
  const dir = path.join(scratch, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'Makefile'), makefile);
  return { alias: name, dir, file: '/registry', line: 1 };
}

// Each value just under the budget of one value (MAX_VALUE_WORK), until the reading's budget
// (MAX_WORK) ends them: seconds of expansion on whatever thread reads it.
const HOSTILE = [
  `W := ${Array.from({ length: 650 }, (_, i) => i).join(' ')}`,
  ...Array.from({ length: 60 }, (_, i) => `V${i} := $(foreach i,$(W),$(foreach j,$(W),))`),
  'build: ## Build it',
  '\t@echo build',
  '',
].join('\n');

const shared = thread();
const options = (timeoutMs: number, reader = shared): ListOptions => ({ env: { PATH: '/nonexistent' }, timeoutMs, reader });
const quick = project('quick', 'test: ## Test it\n\t@echo test\n');

test('a makefile that takes the whole expansion budget is read off this thread: its timers keep firing meanwhile', async () => {
  const hostile = project('hostile', HOSTILE);
  let last = performance.now();
  let longestGap = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    longestGap = Math.max(longestGap, now - last);
    last = now;
  }, 10);
  const started = performance.now();
  try {
    const listing = await listTargets(hostile, options(60_000));
    const took = performance.now() - started;
    // The ticks that a blocked thread owes have not run yet: the time since the last one counts too.
    longestGap = Math.max(longestGap, performance.now() - last);
    assert.ok(took > 1000, `not vacuous: the reading took ${Math.round(took)} ms`);
    assert.ok(longestGap < 500, `this thread was held for ${Math.round(longestGap)} ms`);
    assert.deepEqual(listing.targets, [{ name: 'build', file: path.join(hostile.dir, 'Makefile'), line: 62, description: 'Build it' }]);
    assert.equal(listing.problems.length, 1);
    assert.match(listing.problems[0].message, /take too long to evaluate here/);
  } finally {
    clearInterval(ticker);
  }
});

test('a read longer than its bound is stopped: an error at the makefile, and the next read starts a new thread', async () => {
  const hostile = project('bounded', HOSTILE);
  const makefile = path.join(hostile.dir, 'Makefile');
  const started = performance.now();
  const listing = await listTargets(hostile, options(500));
  assert.ok(performance.now() - started < 2500, 'stopped near its bound');
  assert.deepEqual(listing.targets, []);
  assert.deepEqual(listing.problems, [{ severity: 'error', message: 'Makefile took longer than 0.5 s to read and was stopped', file: makefile }]);
  assert.deepEqual(listing.files, [makefile], 'the makefile is watched, to read it again once fixed');

  const next = await listTargets(quick, options(60_000));
  assert.deepEqual(next.targets.map((t) => t.name), ['test']);
});

test('reads wait their turn; a bound counts only the read itself', async () => {
  const reader = thread();
  await listTargets(quick, options(60_000, reader));
  const slow = project('turn', HOSTILE);
  const [first, second] = await Promise.all([listTargets(slow, options(500, reader)), listTargets(quick, options(400, reader))]);
  assert.match(first.problems[0].message, /took longer than 0.5 s/);
  assert.deepEqual(second.targets.map((t) => t.name), ['test'], 'the second read was not charged the time it waited');
});

test('an aborted read ends at once: waiting, it is dropped; reading, its thread goes and the next read starts another', async () => {
  const reader = thread();
  const hostile = project('aborted', HOSTILE);
  const makefile = path.join(hostile.dir, 'Makefile');
  const first = new AbortController();
  const second = new AbortController();
  const reading = reader.read(hostile.dir, makefile, {}, 60_000, first.signal);
  const waiting = reader.read(hostile.dir, makefile, {}, 60_000, second.signal);
  const after = reader.read(quick.dir, path.join(quick.dir, 'Makefile'), {}, 60_000);
  second.abort();
  assert.match((await waiting).problems[0].message, /^Makefile was not read: the read was canceled$/);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const started = performance.now();
  first.abort();
  assert.match((await reading).problems[0].message, /^Makefile was not read: the read was canceled$/);
  assert.ok(performance.now() - started < 100, 'ended at the abort');
  assert.deepEqual((await after).targets.map((t) => t.name), ['test']);
});

// The cache's listing of a project whose makefile changed while it was read is superseded
// (targetCache.ts): its reading is aborted, so the fresh one does not wait on the thread behind it.
test('a makefile fixed while it is read: the slow reading is stopped, and the fixed makefile is listed', async () => {
  const calls: Array<Promise<StaticListing>> = [];
  const reader = thread();
  const spy = { read: (...args: Parameters<StaticReaderThread['read']>) => calls[calls.push(reader.read(...args)) - 1]! };
  const cache = new TargetCache(() => ({ env: {}, timeoutMs: 60_000, reader: spy }), 2);
  const e = project('fixed', HOSTILE);
  const slow = cache.get(e);
  while (calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));

  writeFileSync(path.join(e.dir, 'Makefile'), 'test: ## Test it\n\t@echo test\n');
  cache.changed(e);
  const fixed = await cache.get(e);
  assert.deepEqual(fixed.targets.map((t) => t.name), ['test']);
  assert.equal(await slow, fixed, 'whoever waited on the slow listing gets the fixed one');
  assert.match((await calls[0]!).problems[0]?.message ?? 'read to its end', /was not read: the read was canceled/);
});

test('disposing ends the thread: a read in progress and the reads waiting end as not read, and later reads too', async () => {
  const reader = thread();
  const hostile = project('disposed', HOSTILE);
  const read = (dir: string) => reader.read(dir, path.join(dir, 'Makefile'), {}, 60_000);
  const reading = read(hostile.dir);
  const waiting = read(quick.dir);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(reader.started, true);
  reader.dispose();
  assert.equal(reader.started, false);
  for (const listing of [await reading, await waiting, await read(quick.dir)]) {
    assert.match(listing.problems[0].message, /^Makefile was not read: the extension is stopping$/);
  }
});

test('a thread with nothing to read stops after a while, and starts again for the next read', async () => {
  const reader = thread(200);
  await listTargets(quick, options(60_000, reader));
  assert.equal(reader.started, true);
  await new Promise((resolve) => setTimeout(resolve, 600));
  assert.equal(reader.started, false);
  assert.deepEqual((await listTargets(quick, options(60_000, reader))).targets.map((t) => t.name), ['test']);
});
