import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { RegistryEntry } from '../../../src/core/mkcli/registry';
import { StaticReaderThread } from '../../../src/core/mkcli/staticThread';
import { TargetCache } from '../../../src/core/mkcli/targetCache';
import { listTargets, type ListOptions } from '../../../src/core/mkcli/targets';
import { tsxThreadScript } from '../../harness/tsxThread';
import { assertGolden, relativize } from '../golden';
import { HOSTILE_FILES, within } from '../util/hostileFiles';

const fixtures = path.join(__dirname, '../../fixtures/mkcli');
const projects = path.join(fixtures, 'projects');
// PATH without the fixture aliases.
const env = { ...process.env, PATH: process.env.PATH ?? '' };
// The makefiles are read on the thread the extension reads them on.
const threadDir = mkdtempSync(path.join(os.tmpdir(), 'vmo-targets-thread-'));
const reader = new StaticReaderThread(tsxThreadScript(threadDir, path.resolve(__dirname, '../../../src/core/mkcli/staticWorker.ts')));
after(() => {
  reader.dispose();
  rmSync(threadDir, { recursive: true, force: true });
});
const options: ListOptions = { env, timeoutMs: 10_000, source: () => 'make', reader };
const mkcliOptions = (e: NodeJS.ProcessEnv): ListOptions => ({ env: e, timeoutMs: 5000, source: () => 'mkcli', reader });

function entry(alias: string, dir = path.join(projects, alias)): RegistryEntry {
  return { alias, dir, file: '/registry', line: 7 };
}

for (const name of ['web', 'plain', 'gnu']) {
  test(`targets golden from make's database: ${name}`, async () => {
    const listing = await listTargets(entry(name), options);
    assert.equal(listing.source, 'make');
    assertGolden(relativize(listing, fixtures), path.join(projects, name, 'expected.json'));
  });
}

test('web: includes count, specials, hidden, pattern and file-variable targets are dropped', async () => {
  const listing = await listTargets(entry('web'), options);
  const names = listing.targets.map((t) => t.name).sort();
  assert.deepEqual(names, ['build', 'clean', 'deploy-production', 'deploy-staging', 'docs', 'fmt', 'lint', 'out/app', 'test']);
  const lint = listing.targets.find((t) => t.name === 'lint');
  assert.equal(lint?.description, 'Run the linters');
  assert.equal(lint?.file, path.join(projects, 'web', 'common.mk'));
  assert.equal(lint?.line, 1);
  assert.deepEqual(listing.problems, []);
});

// Makefiles that fail: each gives one clear problem at the right place, none throws.
const brokenMakefiles: Array<[string, RegExp, number | undefined]> = [
  ['broken-separator', /missing separator/, 2],
  ['broken-error', /Set NEVER_SET first/, 2],
  ['broken-include', /Included file does-not-exist\.mk does not exist/, 1],
  ['recursive-include', /make crashed|make printed no database/, undefined],
  ['huge-database', /^make printed a database of more than 16 MiB, more than is read, so the targets are not listed/, undefined],
];
for (const [name, message, line] of brokenMakefiles) {
  test(`broken Makefile: ${name}`, async () => {
    const listing = await listTargets(entry(name), options);
    assert.ok(listing.problems.length >= 1, 'a problem is reported');
    assert.match(listing.problems[0].message, message);
    assert.equal(listing.problems[0].line, line);
    assert.equal(listing.problems[0].file, path.join(projects, name, 'Makefile'));
  });
}

test('broken Makefile: $(shell sleep) is stopped at the timeout and reported', async () => {
  const started = Date.now();
  const listing = await listTargets(entry('slow'), { ...options, timeoutMs: 300 });
  assert.ok(Date.now() - started < 5000);
  assert.match(listing.problems[0].message, /took longer than 0.3 s/);
});

test('by default nothing is run: the makefiles are read, even with make missing from PATH', async () => {
  const listing = await listTargets(entry('web'), { env: { PATH: '/nonexistent' }, timeoutMs: 5000, reader });
  assert.equal(listing.source, 'static');
  assert.deepEqual(listing.targets.map((t) => t.name), ['lint', 'fmt', 'build', 'test', 'deploy-staging', 'deploy-production', 'clean', 'out/app', 'docs']);
  assert.deepEqual(listing.problems, []);
  assert.ok(listing.files.includes(path.join(projects, 'web', 'optional-local.mk')), 'a missing -include is watched, to see it appear');
});

test('no Makefile, and a folder that does not exist: a warning at the registry line', async () => {
  const empty = await listTargets(entry('empty'), options);
  assert.match(empty.problems[0].message, /has no Makefile/);
  assert.deepEqual([empty.problems[0].file, empty.problems[0].line], ['/registry', 7]);
  const gone = await listTargets(entry('gone', '/nonexistent/vmo/project'), options);
  assert.match(gone.problems[0].message, /does not exist/);
});

test('a project path that is a link loop or a file says what it is, not that it does not exist', async (t) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'vmo-not-folder-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  symlinkSync('loop', path.join(root, 'loop'));
  writeFileSync(path.join(root, 'file'), '');
  const loop = await listTargets(entry('loop', path.join(root, 'loop')), options);
  assert.deepEqual(loop.problems, [
    { severity: 'warning', message: `"loop": folder ${path.join(root, 'loop')} cannot be reached: too many levels of symbolic links (a link that leads back to itself)`, file: '/registry', line: 7 },
  ]);
  const file = await listTargets(entry('file', path.join(root, 'file')), options);
  assert.equal(file.problems[0].message, `"file": folder ${path.join(root, 'file')} is not a folder`);
});

test('make missing from PATH is a problem, not a throw', async () => {
  const listing = await listTargets(entry('web'), { ...options, env: { ...env, PATH: '/nonexistent' } });
  assert.match(listing.problems[0].message, /Cannot run make/);
});

test("an installed alias answers --list-targets; only names make's database shows as targets are kept", async () => {
  const withAlias = { ...env, PATH: `${path.join(fixtures, 'bin')}${path.delimiter}${env.PATH}` };
  const listing = await listTargets(entry('webcli', path.join(projects, 'web')), mkcliOptions(withAlias));
  assert.equal(listing.source, 'mkcli');
  // The alias also prints `--bad` and `release`, which are no targets of web's makefiles.
  assert.deepEqual(listing.targets.map((t) => t.name), ['build', 'test', 'lint']);
  assert.equal(listing.targets.find((t) => t.name === 'lint')?.description, 'Run the linters');
  assert.ok(listing.files.includes(path.join(projects, 'web', 'common.mk')));
});

test('an alias whose --list-targets fails falls back to make', async () => {
  const withAlias = { ...env, PATH: `${path.join(fixtures, 'bin')}${path.delimiter}${env.PATH}` };
  const listing = await listTargets(entry('brokencli', path.join(projects, 'gnu')), mkcliOptions(withAlias));
  assert.equal(listing.source, 'make');
  assert.deepEqual(listing.targets.map((t) => t.name), ['hello']);
});

test('a target whose name would show as another (a right-to-left override, a zero-width space) is not listed, by either source', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vmo-unseen-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'Makefile'), 'test: ## Run the tests\n\t@echo test\n\n\u202etset: ## Looks like test\n\t@echo deploy\n\nte\u200bst:\n\t@echo deploy\n');
  for (const source of ['static', 'make'] as const) {
    const listing = await listTargets(entry('spoof', dir), { ...options, source: () => source });
    assert.deepEqual(listing.targets.map((target) => target.name), ['test'], source);
  }
});

test('the cache answers until a makefile or an included file changes', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vmo-cache-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(path.join(projects, 'web'), dir, { recursive: true });
  const cache = new TargetCache(() => options, 2);
  const e = entry('copy', dir);
  const first = await cache.get(e);
  assert.equal(await cache.get(e), first, 'unchanged files: the same listing object');

  writeFileSync(path.join(dir, 'common.mk'), 'lint:\n\t@echo lint\n\nnewtarget: ## Added\n\t@echo new\n');
  const future = new Date(Date.now() + 5000);
  utimesSync(path.join(dir, 'common.mk'), future, future);
  const second = await cache.get(e);
  assert.notEqual(second, first);
  assert.ok(second.targets.some((t) => t.name === 'newtarget'));
});

// make's $(shell) waits until the test creates `go`: a listing that ends when the test says so.
test('a makefile changed during a slow listing is listed again: everyone waiting gets the fresh listing, and the slow one is not kept when it ends', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vmo-superseded-'));
  // Outside the project: a file created in its folder changes the folder, which is a change.
  const go = `${dir}-go`;
  t.after(() => {
    writeFileSync(go, '');
    rmSync(dir, { recursive: true, force: true });
    rmSync(go, { force: true });
  });
  const makefile = path.join(dir, 'Makefile');
  writeFileSync(makefile, `X := $(shell while [ ! -e ${go} ]; do sleep 0.05; done)\nold:\n\t@echo old\n`);
  const cache = new TargetCache(() => options, 2);
  const e = entry('slow', dir);
  const early = cache.get(e);
  await new Promise((resolve) => setTimeout(resolve, 300));

  writeFileSync(makefile, 'new:\n\t@echo new\n');
  cache.changed(e); // what the makefile's watcher says
  const late = cache.get(e);
  const names = (l: { targets: Array<{ name: string }> }) => l.targets.map((x) => x.name);
  assert.deepEqual(names(await within(5000, late)), ['new'], 'the change waited for the slow listing');
  assert.deepEqual(names(await within(5000, early)), ['new'], 'whoever waited on the slow listing gets the fresh one');

  writeFileSync(go, '');
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(await cache.get(e), await late, 'the fresh listing is kept, not the slow one that ended after it');
});

test('a makefile changed while it is listed, before its watcher says so, is listed again at the next look', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vmo-unsignalled-'));
  const started = `${dir}-started`;
  t.after(() => [dir, started].forEach((f) => rmSync(f, { recursive: true, force: true })));
  const makefile = path.join(dir, 'Makefile');
  writeFileSync(makefile, `X := $(shell touch ${started}; sleep 0.6)\nold:\n\t@echo old\n`);
  const cache = new TargetCache(() => options, 2);
  const e = entry('edited', dir);
  const slow = cache.get(e);
  while (!existsSync(started)) await new Promise((resolve) => setTimeout(resolve, 20));
  writeFileSync(makefile, 'new:\n\t@echo new\n');
  assert.deepEqual((await slow).targets.map((x) => x.name), ['old']);
  assert.deepEqual((await cache.get(e)).targets.map((x) => x.name), ['new']);
});

// Each makefile's $(shell) notes when its make starts and ends; listing six projects two at a
// time must overlap two makes, never three.
test('the cache runs at most its concurrency of makes at once, and a listing that starts none waits for no slot', async (t) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'vmo-slots-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const log = path.join(root, 'log');
  const lines = (): string[] => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);
  const project = (name: string, makefile: string): RegistryEntry => {
    const dir = path.join(root, name);
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'Makefile'), makefile);
    return entry(name, dir);
  };
  const slow = Array.from({ length: 6 }, (_, i) =>
    project(`slow${i}`, `X := $(shell echo start >> ${log}; sleep 0.5; echo end >> ${log})\nbuild:\n\t@echo build\n`),
  );
  const quick = project('quick', 'test:\n\t@echo test\n');
  const cache = new TargetCache(() => ({ ...options, source: (e) => (e.alias === 'quick' ? 'static' : 'make') }), 2);

  const all = Promise.all(slow.map((e) => cache.get(e)));
  const quickListing = await cache.get(quick);
  // Under a slot for the whole listing, it would have waited for two rounds of makes to end.
  assert.equal(lines().filter((l) => l === 'end').length, 0, 'the static listing waited for makes to end');
  assert.deepEqual(quickListing.targets.map((x) => x.name), ['test']);
  assert.ok((await all).every((l) => l.targets.some((x) => x.name === 'build')));

  let running = 0;
  let most = 0;
  for (const line of lines()) {
    running += line === 'start' ? 1 : -1;
    most = Math.max(most, running);
  }
  assert.equal(most, 2);
});

test("make's database remakes no makefile and runs no recipe, even for an include named by $(shell)", async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vmo-remake-'));
  cpSync(path.join(projects, 'remaking'), dir, { recursive: true });
  // Not vacuous: plain `make -pRrq` does run both recipes here.
  const control = mkdtempSync(path.join(os.tmpdir(), 'vmo-remake-control-'));
  t.after(() => [dir, control].forEach((folder) => rmSync(folder, { recursive: true, force: true })));
  cpSync(path.join(projects, 'remaking'), control, { recursive: true });
  spawnSync('make', ['-C', control, '-pRrq', ':'], { encoding: 'utf8', timeout: 10_000 });
  assert.ok(existsSync(path.join(control, 'remade-generated')) && existsSync(path.join(control, 'remade-dynamic')));

  const listing = await listTargets(entry('remaking', dir), options);
  assert.equal(listing.source, 'make');
  assert.deepEqual(readdirSync(dir).sort(), ['Makefile'], 'nothing was written');
  // dynamic.mk is a rule of the Makefile like any other to both make and the text.
  assert.deepEqual(listing.targets.map((t) => t.name), ['build', 'dynamic.mk', 'tool']);
  assert.equal(listing.targets[0].description, 'Build');
});

test("a %: catch-all: --list-targets prints make's variables; only the targets are kept, and static reading never saw them", async () => {
  const withAlias = { ...env, PATH: `${path.join(fixtures, 'bin')}${path.delimiter}${env.PATH}` };
  const viaAlias = await listTargets(entry('catchall', path.join(projects, 'catch-all')), mkcliOptions(withAlias));
  assert.equal(viaAlias.source, 'mkcli');
  assert.deepEqual(viaAlias.targets.map((t) => t.name), ['build', 'test']);
  const read = await listTargets(entry('catch-all'), { env, timeoutMs: 5000, reader });
  assert.equal(read.source, 'static');
  assert.deepEqual(read.targets.map((t) => t.name), ['build', 'test']);
});

// An included makefile that is a FIFO, a device, a folder, huge or a link loop is not read:
// a problem at its include line, at once; the other targets are still listed.
for (const hostile of HOSTILE_FILES) {
  test(`an included makefile that is ${hostile.name} is a problem, not a hang`, async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vmo-hostile-mk-'));
    try {
      writeFileSync(path.join(dir, 'Makefile'), 'include hostile.mk\nbuild: ## Build it\n\t@echo build\n');
      hostile.make(path.join(dir, 'hostile.mk'));
      const listing = await within(5000, listTargets(entry('hostile', dir), { env, timeoutMs: 5000, reader }));
      assert.equal(listing.source, 'static');
      assert.equal(listing.targets.find((t) => t.name === 'build')?.description, 'Build it');
      assert.equal(listing.problems.length, 1);
      assert.equal(listing.problems[0].file, path.join(dir, 'Makefile'));
      assert.equal(listing.problems[0].line, 1);
      const detail = /^Included file hostile\.mk (.*)$/.exec(listing.problems[0].message)?.[1];
      assert.match(detail ?? listing.problems[0].message, hostile.detail);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test("with make's database, a makefile too large to read still gives its targets, without their places, and a warning", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vmo-big-mk-'));
  try {
    writeFileSync(path.join(dir, 'Makefile'), 'include big.mk\nbuild: ## Build it\n\t@echo build\n');
    writeFileSync(path.join(dir, 'big.mk'), `big: ## Big\n#${'x'.repeat(4 * 1024 * 1024)}\n`);
    const listing = await listTargets(entry('big', dir), options);
    assert.equal(listing.source, 'make');
    assert.deepEqual(listing.targets.find((t) => t.name === 'build'), { name: 'build', file: path.join(dir, 'Makefile'), line: 2, description: 'Build it' });
    assert.deepEqual(listing.targets.find((t) => t.name === 'big'), { name: 'big' });
    assert.deepEqual(listing.problems, [
      {
        severity: 'warning',
        message: 'Included file big.mk is 4194318 bytes, over the 4 MiB limit; its targets are listed without their places and descriptions',
        file: path.join(dir, 'Makefile'),
        line: 1,
      },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
