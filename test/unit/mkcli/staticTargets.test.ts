import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { parseMakeDatabase } from '../../../src/core/mkcli/makeDatabase';
import { readStaticTargets } from '../../../src/core/mkcli/staticTargets';
import { StaticReaderThread } from '../../../src/core/mkcli/staticThread';
import { tsxThreadScript } from '../../harness/tsxThread';
import { assertGolden, relativize } from '../golden';

const cases = path.join(__dirname, '../../fixtures/mkcli/static');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'vmo-static-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A project folder in the scratch space with these files. */
function project(name: string, files: Record<string, string>): string {
  const dir = path.join(scratch, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

/** Every project read by the tests of this file, read again on the reader's thread by the last one. */
const readHere: Array<{ dir: string; env: Record<string, string> }> = [];
const read = (dir: string, env: Record<string, string> = {}) => {
  readHere.push({ dir, env });
  return readStaticTargets(dir, path.join(dir, 'Makefile'), { env });
};
const names = (dir: string) => read(dir).targets.map((t) => t.name);

for (const name of readdirSync(cases, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name)) {
  test(`static reader golden: ${name}`, () => {
    const dir = path.join(cases, name);
    assertGolden(relativize(read(dir), cases), path.join(cases, `${name}.expected.json`));
    assert.equal(existsSync(path.join(dir, 'should-not-exist')), false, '$(shell …) was not run');
  });
}


test("features: the names agree with make's database, but for what only a shell could tell", () => {
  const dir = path.join(scratch, 'features-copy');
  cpSync(path.join(cases, 'features'), dir, { recursive: true });
  const make = spawnSync('make', ['-C', dir, '-pRrq', ':'], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  const fromMake = parseMakeDatabase(make.stdout, dir).targets.sort();
  const fromText = names(dir).sort();
  // make ran the $(shell …): it knows `-target` (the empty output) and the branch uname chose.
  const onlyMake = fromMake.filter((n) => !fromText.includes(n));
  const onlyText = fromText.filter((n) => !fromMake.includes(n));
  assert.deepEqual(onlyMake, ['-target']);
  assert.deepEqual(onlyText, ['unknown-else']);
});

test('docs: `target: ## doc`, and `## doc` or `#: doc` lines right above the rule', () => {
  const dir = project('docs', {
    Makefile: '##@ Section headings are not docs\nhelp: ## Show help\n\n## Build it\n## with care\nbuild:\n\n# plain comment\nplain:\n\n#: Test it\n\ntest:\n',
  });
  const byName = Object.fromEntries(read(dir).targets.map((t) => [t.name, t.description]));
  assert.deepEqual(byName, { help: 'Show help', build: 'Build it with care', plain: undefined, test: undefined });
});

test('conditionals: known values are evaluated; a platform branch keeps the default of a variable', () => {
  const dir = project('cond', {
    Makefile: [
      'EXT =',
      'OS := $(shell uname -s)',
      'ifeq ($(OS),Windows_NT)',
      '  EXT = .exe',
      'endif',
      'ifeq ($(MODE),fast)',
      'fast-only:',
      'else ifdef MODE',
      'other-mode:',
      'else',
      'no-mode:',
      'endif',
      'app$(EXT):',
    ].join('\n'),
  });
  assert.deepEqual(names(dir), ['no-mode', 'app']);
  assert.deepEqual(read(dir, { MODE: 'fast' }).targets.map((t) => t.name), ['fast-only', 'app'], 'the environment is read as make would');
  assert.deepEqual(read(dir, { MODE: 'slow' }).targets.map((t) => t.name), ['other-mode', 'app']);
});

// Makefiles written to make a reader run something, hang, or never end.
test('hostile: $(shell …) in :=, !=, names and includes runs nothing; such names are left out', () => {
  const dir = project('shell', {
    Makefile: [
      'A := $(shell touch touched-a)',
      'B != touch touched-b',
      'include $(shell touch touched-c; echo x.mk)',
      '$(shell touch touched-d):',
      'good $(shell touch touched-e)-bad:',
      'X := $(file >written,text)',
    ].join('\n'),
  });
  assert.deepEqual(names(dir), ['good']);
  assert.deepEqual(readdirSync(dir), ['Makefile']);
});

test('hostile: an include rule that would write the makefile is never run; the missing include is a warning', () => {
  const dir = project('remake', {
    Makefile: 'include generated.mk\nall:\ngenerated.mk:\n\techo "gen:" > generated.mk; touch remade\n',
  });
  const listing = read(dir);
  assert.deepEqual(listing.targets.map((t) => t.name), ['all']);
  assert.equal(listing.problems[0].severity, 'warning');
  assert.match(listing.problems[0].message, /Included file generated\.mk does not exist/);
  assert.deepEqual(readdirSync(dir), ['Makefile']);
  assert.ok(listing.files.includes(path.join(dir, 'generated.mk')), 'watched, so its appearance re-lists');
});

test("hostile: a %: catch-all lists the real targets and none of make's variables", () => {
  const dir = project('catchall', { Makefile: '.PHONY: build\nbuild: ## Build\n\t@echo build\n%:\n\t@echo catch-all $@\n' });
  assert.deepEqual(names(dir), ['build']);
});

test('hostile: include cycles and self-includes are read once, with a warning', () => {
  const dir = project('cycle', { Makefile: 'include a.mk\nmain:\n', 'a.mk': 'include b.mk\na:\n', 'b.mk': 'include a.mk\ninclude Makefile\nb:\n' });
  const listing = read(dir);
  assert.deepEqual(listing.targets.map((t) => t.name).sort(), ['a', 'b', 'main']);
  assert.equal(listing.problems.length, 2);
  assert.ok(listing.problems.every((p) => /includes itself/.test(p.message)));
});

test('hostile: includes nest at most 16 deep', () => {
  const files: Record<string, string> = { Makefile: 'include 1.mk\n' };
  for (let i = 1; i <= 30; i++) files[`${i}.mk`] = `include ${i + 1}.mk\nt${i}:\n`;
  const listing = read(project('deep', files));
  assert.equal(listing.targets.length, 15);
  assert.match(listing.problems[0].message, /deeper than 16/);
});

test('hostile: self-referencing, mutually recursive and exploding variables end, unknown', () => {
  const lines = ['A = $(A) x', 'B = $(C)', 'C = $(B)', 'E0 = e'];
  for (let i = 1; i <= 40; i++) lines.push(`E${i} = $(E${i - 1})$(E${i - 1})`);
  lines.push('$(A)-a:', '$(B)-b:', '$(E40)-e:', 'L = $(eval $(L))', '$(L)', 'ok:');
  const started = Date.now();
  assert.deepEqual(names(project('recursion', { Makefile: lines.join('\n') })), ['ok']);
  assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
});

// A value that would take minutes to expand is left unknown and said once, at its line; the
// lines after it are still read. No time is asserted: the test runner's timeout catches a hang.
test('hostile: a quadratic $(foreach …), $(filter …) or $(addprefix …) of long lists is left unknown, with a warning at its line', () => {
  const list = `L := ${Array.from({ length: 20_000 }, (_, i) => `w${i}`).join(' ')}`;
  for (const [name, value] of Object.entries({
    foreach: '$(foreach a,$(L),$(foreach b,$(L),x))',
    'filter-patterns': '$(filter $(addsuffix %,$(L)),$(L))',
    addprefix: '$(addprefix $(L),$(L))',
    // Exact patterns are looked up, so this one is evaluated: its words are targets.
    filter: '$(filter $(L),$(L))\n$(lastword $(X)):',
  })) {
    const listing = read(project(`quadratic-${name}`, { Makefile: `${list}\nX := ${value}\nall: ## the all target\n\techo hi\nafter-$(firstword $(L)):\n` }));
    if (name === 'filter') {
      assert.deepEqual([listing.targets.map((t) => t.name), listing.problems], [['w19999', 'all', 'after-w0'], []]);
      continue;
    }
    assert.deepEqual(listing.targets.map((t) => t.name), ['all', 'after-w0'], name);
    assert.deepEqual(listing.problems.map((p) => [p.severity, p.line]), [['warning', 2]], name);
    assert.match(listing.problems[0].message, /too large to evaluate here; targets that depend on it may be missing/);
  }
});

test('hostile: FIFOs, devices, folders and files over 4 MiB are not read; huge lines, CRLF and bad UTF-8 are', () => {
  const dir = project('odd', {
    Makefile: ['-include fifo.mk', 'include /dev/zero', 'include folder', 'include big.mk', 'include long.mk', 'include crlf.mk', 'include latin1.mk', 'main:'].join('\n'),
    'folder/x': '',
    'big.mk': `big:\n#${'x'.repeat(4 * 1024 * 1024)}\n`,
    'long.mk': `${Array.from({ length: 20_000 }, (_, i) => `long${i}`).join(' ')}: ; @echo one line of 200 kB\n`,
    'crlf.mk': 'crlf: ## Windows line ends\r\n\t@echo crlf\r\n',
  });
  writeFileSync(path.join(dir, 'latin1.mk'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x3a, 0x0a, 0x6f, 0x6b, 0x3a, 0x0a]));
  execFileSync('mkfifo', [path.join(dir, 'fifo.mk')]);
  const listing = read(dir);
  const listed = listing.targets.map((t) => t.name);
  assert.equal(listed.filter((n) => n.startsWith('long')).length, 20_000);
  assert.ok(listed.includes('crlf') && listed.includes('ok') && listed.includes('main') && !listed.includes('big'));
  assert.equal(listing.targets.find((t) => t.name === 'crlf')?.description, 'Windows line ends');
  const messages = listing.problems.map((p) => p.message).join('\n');
  assert.match(messages, /Included file fifo\.mk is a FIFO, not a regular file/);
  assert.match(messages, /Included file \/dev\/zero is a character device, not a regular file/);
  assert.match(messages, /Included file folder is a folder, not a regular file/);
  assert.match(messages, /Included file big\.mk is 4194311 bytes, over the 4 MiB limit/);
});

/** make's own fatal error and its list of targets (-p prints the database even when make stops). */
function makeSays(dir: string): { fatal?: [string, number, string]; targets: string[] } {
  const make = spawnSync('make', ['-pRrq', '-f', 'Makefile'], { cwd: dir, encoding: 'latin1', env: { ...process.env, LC_ALL: 'C' } });
  const fatal = /^([^:\n]+):(\d+): \*\*\* (missing separator|missing 'endef'|missing 'endif'|extraneous '(?:else|endif)')/m.exec(make.stderr);
  return { ...(fatal ? { fatal: [path.basename(fatal[1]), Number(fatal[2]), fatal[3]] } : {}), targets: parseMakeDatabase(make.stdout, dir).targets };
}

// make stops at the end of text that leaves a define or a conditional open, at the define's line
// or the line after the last; so does the reader, said as an error at make's line, each checked against make.
test('an unterminated define or conditional is an error at the line make names, and the reading stops there', () => {
  const cases: Record<string, Record<string, string>> = {
    define: { Makefile: 'a:\ndefine FOO\nb:\n' },
    'define-no-newline': { Makefile: 'a:\ndefine FOO\nb:' },
    ifeq: { Makefile: 'a:\nifeq (a,a)\nb:\n' },
    'ifeq-no-newline': { Makefile: 'a:\nifeq (a,a)\nb:' },
    'ifdef-nested': { Makefile: 'a:\nifeq (a,a)\nifdef X\nb:\nendif\nc:\n\n# end\n' },
    'define-in-false-branch': { Makefile: 'a:\nifeq (a,b)\ndefine FOO\nendif\nb:\n' },
    'evaluated-define': { Makefile: 'a:\n$(eval define X)\nb:\n' },
    included: { Makefile: 'a:\ninclude inc.mk\nb:\n', 'inc.mk': 'x:\nifndef Y\n' },
  };
  for (const [name, files] of Object.entries(cases)) {
    const dir = project(`unclosed-${name}`, files);
    const make = makeSays(dir);
    const ours = read(dir).problems.map((p) => [path.basename(p.file), p.line, p.severity, /endef/.test(p.message) ? "missing 'endef'" : /endif/.test(p.message) ? "missing 'endif'" : p.message]);
    assert.ok(make.fatal, `${name}: make stops`);
    assert.deepEqual(ours, [[make.fatal[0], make.fatal[1], 'error', make.fatal[2]]], name);
    // The text of an $(eval …) is not surely what make reads: the reader goes on after it.
    if (name !== 'evaluated-define') assert.deepEqual(names(dir).sort(), make.targets.sort(), `${name}: the targets make lists`);
  }
  // make records a rule at the next statement: x, the last rule before the end, is not made.
  assert.deepEqual(names(path.join(scratch, 'unclosed-included')), ['a'], 'nothing after the include make stops in');
  // Its endif is text of the define: make stops at the end of the file, before recording a.
  assert.deepEqual(names(path.join(scratch, 'unclosed-define-in-false-branch')), [], 'its endif is text of the define');
  assert.match(read(path.join(scratch, 'unclosed-ifdef-nested')).problems[0].message, /^ifeq at line 2 has no endif/);
});

// make stops at an else or endif that closes no conditional of its file ("extraneous 'endif'"),
// and lists the targets of the rules it recorded before: not those of the rule right before it,
// recorded only at the next statement, nor names only .PHONY made targets. Checked against make.
test('a stray else or endif is an error at its line, as make says, and the reading stops there', () => {
  const cases: Record<string, Record<string, string>> = {
    endif: { Makefile: 'a:\n\t@echo a\nX = 1\nb: ## B\nendif\nc:\n' },
    else: { Makefile: 'a:\nY = 1\nelse\nb:\n' },
    'else-with-condition': { Makefile: 'a:\nY = 1\nelse ifeq (a,a)\nb:\n' },
    'after-a-closed-conditional': { Makefile: 'a:\nifeq (a,a)\nb:\nendif\nendif\nc:\n' },
    'false-branch-then-stray': { Makefile: 'a:\nifeq (a,b)\nendif\nelse\nendif\n' },
    phony: { Makefile: '.PHONY: p q\na:\nX = 1\nendif\n' },
    included: { Makefile: 'a:\ninclude inc.mk\nb:\n', 'inc.mk': 'x:\ny = 1\nendif\nz:\n' },
  };
  for (const [name, files] of Object.entries(cases)) {
    const dir = project(`stray-${name}`, files);
    const make = makeSays(dir);
    const ours = read(dir).problems.map((p) => [path.basename(p.file), p.line, p.severity, /"(extraneous '\w+')"/.exec(p.message)?.[1] ?? p.message]);
    assert.ok(make.fatal, `${name}: make stops`);
    assert.deepEqual(ours, [[make.fatal[0], make.fatal[1], 'error', make.fatal[2]]], name);
    assert.deepEqual(names(dir).sort(), make.targets.sort(), `${name}: the targets make lists`);
  }
  assert.deepEqual(names(path.join(scratch, 'stray-included')), ['a', 'x']);
  assert.match(read(path.join(scratch, 'stray-endif')).problems[0].message, /^endif without a matching if: make stops here with "extraneous 'endif'"$/);

  // Where make may not read the line (an unknown condition), a warning, and the reading goes on.
  const maybe = project('stray-maybe', { Makefile: 'ifeq ($(shell uname),x)\ninclude inc.mk\nendif\nafter:\n', 'inc.mk': 'inc:\nendif\n' });
  assert.deepEqual(read(maybe).problems.map((p) => [p.severity, path.basename(p.file), p.line]), [['warning', 'inc.mk', 2]]);
  assert.deepEqual(names(maybe), ['inc', 'after']);
});

// make stops at a line that is no rule, assignment or directive once expanded ("missing
// separator"); the reader says so at the same line, and only where make does. Each case is
// checked against make itself (none of them runs a shell).
test('a line make stops at with "missing separator" is an error at its line, as make says; lines make takes are not', () => {
  const cases: Record<string, string> = {
    'garbage-line': 'a:\n\t@echo a\nthis line is garbage\n.PHONY: a\n',
    'recipe-with-spaces': 'build:\n\t@echo build\nlint:\n    golangci-lint run\n',
    'recipe-prefix': '.RECIPEPREFIX = >\nbuild:\n> echo built\n',
    'functions-only': 'X = 1\n$(info $(X))\n$(foreach v,a b,$(eval $(v): ; @echo $(v)))\n\n',
    'rule-from-a-variable': 'RULE = made: ; @echo made\n$(RULE)\nblank =\n$(blank)\n',
    'false-branch': 'ifeq (a,b)\nnot make syntax at all\nendif\nok:\n',
    'after-recipe-blank': 'a:\n\t@echo a\n\n\t@echo still a\n',
    // The first recipe line lost its tab; make stops there, and the reader says nothing of the lines after it.
    'first-of-a-recipe': 'build:\n    @echo "==> Building"\n\t@echo two\n\t@echo three\n',
    'name-with-blanks': 'a b = c\nall:\n',
    'reference-with-blanks': '$(subst a,b, c) = 1\nall:\n',
    'override-without-assignment': 'override a b = c\nall:\n',
    'private-without-assignment': 'all:\nprivate a\n',
    'export-names': 'export a b = c\nunexport d e\nall:\n',
    'override-rule': 'override a: b\nb:\n',
  };
  for (const [name, text] of Object.entries(cases)) {
    const dir = project(`separator-${name}`, { Makefile: text });
    const make = spawnSync('make', ['-pRrq', '-f', 'Makefile'], { cwd: dir, encoding: 'utf8' });
    const makeLine = /^Makefile:(\d+): \*\*\* missing separator/m.exec(make.stderr)?.[1];
    const ours = read(dir).problems.filter((p) => p.message.includes('missing separator'));
    assert.deepEqual(ours.map((p) => [p.severity, path.basename(p.file), p.line]), makeLine ? [['error', 'Makefile', Number(makeLine)]] : [], `${name}: make says ${make.stderr.trim() || 'nothing'}`);
    // Where make stops, the targets of the lines before are what make lists, and none after.
    if (makeLine) assert.deepEqual(names(dir).sort(), makeSays(dir).targets.sort(), `${name}: the targets make lists`);
  }
  assert.equal(read(path.join(scratch, 'separator-garbage-line')).problems[0]?.line, 3, 'make stops at the garbage line');
  const spaces = read(path.join(scratch, 'separator-recipe-with-spaces')).problems[0]!;
  assert.match(spaces.message, /a recipe line must start with a tab/);
  assert.deepEqual(names(path.join(scratch, 'separator-recipe-prefix')), ['build']);
  assert.deepEqual(names(path.join(scratch, 'separator-override-rule')), ['override', 'a', 'b'], 'as make -pRrq lists them');
});

// A program or library read as a makefile lists no garbage: it is refused, once, as make stops in it.
test('a binary makefile or included file is refused with one error naming it, and the reading stops there as make does', () => {
  const dir = project('binary-main', {});
  cpSync('/bin/ls', path.join(dir, 'Makefile'));
  const main = read(dir);
  assert.deepEqual(main.targets, []);
  assert.deepEqual(main.problems.map((p) => [p.severity, p.message, p.line]), [['error', 'Makefile contains NUL bytes: it is binary, not a makefile', undefined]]);
  assert.match(spawnSync('make', ['-pRrq'], { cwd: dir, encoding: 'latin1' }).stderr, /^Makefile:\d+: \*\*\* missing separator\. {2}Stop\.$/m, 'make stops in it too');

  const included = project('binary-include', { Makefile: 'a:\n-include bin/*\nb:\n' });
  mkdirSync(path.join(included, 'bin'));
  for (const program of ['/bin/ls', '/bin/true', '/bin/cat']) cpSync(program, path.join(included, 'bin', path.basename(program)));
  const listing = read(included);
  assert.deepEqual(listing.problems.map((p) => [p.severity, p.message, path.basename(p.file), p.line]), [['error', 'Included file bin/cat contains NUL bytes: it is binary, not a makefile', 'Makefile', 2]]);
  const make = makeSays(included);
  assert.equal(make.fatal?.[0], 'cat', 'make stops in the first one');
  assert.deepEqual(listing.targets.map((t) => t.name), make.targets, 'the targets before it, as make lists them');
});

test('a target name that is not valid UTF-8 is an error at its line, not listed', () => {
  const dir = project('latin1-target', {});
  writeFileSync(path.join(dir, 'Makefile'), Buffer.concat([Buffer.from('ok: ## fine\ncaf'), Buffer.from([0xe9]), Buffer.from(': ## latin1\n\t@echo caf\n')]));
  const listing = read(dir);
  assert.deepEqual(listing.targets.map((t) => t.name), ['ok']);
  assert.deepEqual(listing.problems.map((p) => [p.severity, p.line]), [['error', 2]]);
  assert.match(listing.problems[0].message, /^The target "caf\ufffd" is not valid UTF-8/);
});

// The extension reads on a thread of its own (staticThread.ts): it gets what the reader gives
// here, for every makefile the tests above read (this test runs last).
test('every project above, read on the thread the extension reads on, gives the same listing', async (t) => {
  if (readHere.length === 0) return t.skip('the tests above did not run');
  const thread = new StaticReaderThread(tsxThreadScript(scratch, path.resolve(__dirname, '../../../src/core/mkcli/staticWorker.ts')));
  try {
    for (const { dir, env } of readHere) {
      const makefile = path.join(dir, 'Makefile');
      assert.deepEqual(await thread.read(dir, makefile, { env }, 60_000), readStaticTargets(dir, makefile, { env }), dir);
    }
  } finally {
    thread.dispose();
  }
});
