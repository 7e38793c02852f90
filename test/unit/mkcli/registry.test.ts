import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { parseRegistry, readRegistries, userRegistryPath } from '../../../src/core/mkcli/registry';
import { assertGolden } from '../golden';
import { HOSTILE_FILES, within } from '../util/hostileFiles';
import { callAs, unprivilegedInCheckout } from '../../harness/unprivileged';
import type { Problem } from '../../../src/core/problem';

const fixtures = path.join(__dirname, '../../fixtures/mkcli/registries');

for (const name of ['real-format', 'mixed']) {
  test(`registry golden: ${name}`, () => {
    const file = path.join(fixtures, `${name}.registry`);
    const parsed = parseRegistry(readFileSync(file, 'utf8'), `<fixtures>/${name}.registry`, '/home/dev');
    assertGolden(parsed, path.join(fixtures, `${name}.expected.json`));
  });
}

// Each broken line becomes one problem at its own line; the good lines around it still load.
const broken: Array<[string, string, RegExp]> = [
  ['four fields, no such folder', 'a /x 1.0 extra', /Expected "alias path \[version\]" or "alias=path", got "a \/x 1\.0 extra"; no folder "\/x 1\.0 extra" or "\/x 1\.0" exists/],
  ['only an alias', 'lonely', /Expected "alias path \[version\]"/],
  ['relative path', 'rel projects/rel', /Expected an absolute path for "rel"/],
  ['option-like alias', '-rf /tmp', /Expected an alias/],
  ['dot alias', '.hidden /tmp', /Expected an alias/],
  ['shell in alias', 'x;rm /tmp', /Expected an alias/],
  ['empty path after =', 'empty=', /Expected "alias path \[version\]"/],
  ['empty alias before =', '=/tmp', /Expected "alias path \[version\]"/],
  ['path with space after =', 'sp=/tmp/a b', /Expected "alias path \[version\]"/],
  ['backtick alias', '`id` /tmp', /Expected an alias/],
  ['unicode garbage', '\u0000\u0001\u0002 /tmp', /Expected an alias/],
  ['dollar alias', '$(id) /tmp', /Expected an alias/],
];
for (const [what, line, message] of broken) {
  test(`broken registry line: ${what}`, () => {
    const text = `good1 /srv/one\n${line}\ngood2 /srv/two 0.1\n`;
    const parsed = parseRegistry(text, '/r', '/home/dev');
    assert.deepEqual(parsed.entries.map((e) => e.alias), ['good1', 'good2']);
    assert.equal(parsed.problems.length, 1);
    assert.equal(parsed.problems[0].line, 2);
    assert.equal(parsed.problems[0].file, '/r');
    assert.equal(parsed.problems[0].severity, 'error');
    assert.match(parsed.problems[0].message, message);
  });
}

test('duplicate alias: the last line wins, with a warning on it', () => {
  const parsed = parseRegistry('a /one\nb /two\na /three\n', '/r', '/h');
  assert.deepEqual(parsed.entries.map((e) => [e.alias, e.dir]), [['b', '/two'], ['a', '/three']]);
  assert.equal(parsed.problems.length, 1);
  assert.equal(parsed.problems[0].severity, 'warning');
  assert.equal(parsed.problems[0].line, 3);
  assert.match(parsed.problems[0].message, /also registered on line 1/);
});

test('binary garbage yields problems, never a throw', () => {
  const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)).toString('latin1');
  const parsed = parseRegistry(bytes, '/r', '/h');
  assert.ok(parsed.problems.length > 0);
  for (const p of parsed.problems) assert.ok(p.line && p.line > 0);
});

test('registry location: setting, then MKCLI_REGISTRY, then ~/.config/mkcli/registry', () => {
  assert.equal(userRegistryPath({ setting: '~/r', env: { MKCLI_REGISTRY: '/env/r' }, home: '/h' }), '/h/r');
  assert.equal(userRegistryPath({ setting: '', env: { MKCLI_REGISTRY: '/env/r' }, home: '/h' }), '/env/r');
  assert.equal(userRegistryPath({ env: {}, home: '/h' }), '/h/.config/mkcli/registry');
});

test('the user registry overrides the team registry; a missing user registry is empty', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vmo-registry-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const team = path.join(dir, 'team');
  const user = path.join(dir, 'user');
  writeFileSync(team, 'shared /srv/shared\nweb /srv/team-web\n');
  writeFileSync(user, 'web /srv/my-web\n');
  const merged = await readRegistries(user, team, dir);
  assert.deepEqual(merged.entries.map((e) => [e.alias, e.dir]), [['shared', '/srv/shared'], ['web', '/srv/my-web']]);
  assert.deepEqual(merged.problems, []);

  const none = await readRegistries(path.join(dir, 'missing'), undefined, dir);
  assert.deepEqual(none, { entries: [], problems: [] });
});

test('a missing team registry and an unreadable user registry are problems', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vmo-registry-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const result = await readRegistries(dir /* a folder, not a file */, path.join(dir, 'no-team'), dir);
  assert.equal(result.entries.length, 0);
  assert.deepEqual(result.problems.map((p) => p.severity), ['warning', 'error']);
  assert.match(result.problems[0].message, /does not exist/);
  assert.match(result.problems[1].message, /Cannot read the registry/);
});

// Read by a user that file modes apply to (root reads any file), whose file it is.
const reader = unprivilegedInCheckout();
test('a registry file without read permission is a problem', { skip: typeof reader === 'string' && reader }, async (t) => {
  if (typeof reader === 'string') return;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vmo-registry-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const locked = path.join(dir, 'locked');
  writeFileSync(locked, 'a /b\n');
  chmodSync(locked, 0);
  reader.own(dir);
  const r = await callAs<{ problems: Problem[] }>(reader, path.resolve(__dirname, '../../../src/core/mkcli/registry.ts'), 'readRegistries', [locked, null, dir]);
  assert.match(r.problems[0].message, /Cannot read/);
});

// A registry or a team registry that is a FIFO, a device, a folder, huge or a link loop is a
// problem naming it, returned at once; the other registry still loads.
for (const [i, hostile] of HOSTILE_FILES.entries()) {
  for (const which of ['user', 'team'] as const) {
    test(`a ${which} registry that is ${hostile.name} is a problem, not a hang`, async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'vmo-registry-hostile-'));
      try {
        const bad = path.join(dir, `bad-${i}`);
        hostile.make(bad);
        const good = path.join(dir, 'good');
        writeFileSync(good, 'ok /srv/ok\n');
        const result = await within(2000, which === 'user' ? readRegistries(bad, good, dir) : readRegistries(good, bad, dir));
        assert.deepEqual(result.entries.map((e) => e.alias), ['ok']);
        assert.equal(result.problems.length, 1);
        assert.equal(result.problems[0].file, bad);
        assert.equal(result.problems[0].severity, 'error');
        const detail = /^Cannot read the registry\. The file (.*)\.$/.exec(result.problems[0].message)?.[1];
        assert.match(detail ?? result.problems[0].message, hostile.detail);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
}

// A path with spaces: the reading that names an existing folder wins; two that do are a problem
// naming the file and line; with none, the last word is a version only when it looks like one.
test('a registry path with spaces resolves to the folder that exists', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vmo-registry-spaces-'));
  try {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(path.join(dir, 'a b', 'x'), { recursive: true });
    mkdirSync(path.join(dir, 'c'));
    mkdirSync(path.join(dir, 'my proj'));
    mkdirSync(path.join(dir, 'my'));
    mkdirSync(path.join(dir, 'two  spaces'));
    mkdirSync(path.join(dir, 'release 2.0'));
    const text = [
      `whole ${dir}/a b/x`, // line 1: only the whole path exists
      `split ${dir}/c d`, // line 2: only "<dir>/c" exists: version "d"
      `both ${dir}/my proj`, // line 3: "<dir>/my proj" and "<dir>/my" both exist
      `spaced ${dir}/two  spaces`, // line 4: whitespace inside the path is kept
      `rel ${dir}/release 2.0`, // line 5: a version-like last word that is part of the folder
      `gone ${dir}/nowhere 0.4.2`, // line 6: nothing exists, "0.4.2" looks like a version
      `ghost ${dir}/no-such folder`, // line 7: nothing exists, "folder" is no version: the whole path is the folder
      `many ${dir}/d e f`, // line 8: more than two words and no folder: malformed
      '',
    ].join('\n');
    const file = path.join(dir, 'registry');
    writeFileSync(file, text);
    const parsed = await readRegistries(file, undefined, dir);
    assert.deepEqual(
      parsed.entries.map((e) => [e.alias, e.dir, e.version, e.line]),
      [
        ['whole', `${dir}/a b/x`, undefined, 1],
        ['split', `${dir}/c`, 'd', 2],
        ['spaced', `${dir}/two  spaces`, undefined, 4],
        ['rel', `${dir}/release 2.0`, undefined, 5],
        ['gone', `${dir}/nowhere`, '0.4.2', 6],
        ['ghost', `${dir}/no-such folder`, undefined, 7],
      ],
    );
    assert.deepEqual(parsed.problems, [
      {
        severity: 'error',
        message: `"both": both ${JSON.stringify(`${dir}/my proj`)} and ${JSON.stringify(`${dir}/my`)} (version "proj") are folders, so the line can be read either way; rename one of them or re-register the project`,
        file,
        line: 3,
        column: 1,
      },
      {
        severity: 'error',
        message: `Expected "alias path [version]" or "alias=path", got ${JSON.stringify(`many ${dir}/d e f`)}; no folder ${JSON.stringify(`${dir}/d e f`)} or ${JSON.stringify(`${dir}/d e`)} exists`,
        file,
        line: 8,
        column: 1,
      },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the folder check is asked only about absolute readings of lines with whitespace', () => {
  const asked: string[] = [];
  const isFolder = (dir: string): boolean => {
    asked.push(dir);
    return dir === '/x/my proj';
  };
  const parsed = parseRegistry('plain /srv/plain\nweb /x/my proj\nold=/srv/old\nrel a b\n', '/r', '/h', isFolder);
  assert.deepEqual(parsed.entries.map((e) => [e.alias, e.dir, e.version]), [['plain', '/srv/plain', undefined], ['web', '/x/my proj', undefined], ['old', '/srv/old', undefined]]);
  assert.deepEqual(asked, ['/x/my proj', '/x/my']);
  assert.equal(parsed.problems.length, 1);
  assert.match(parsed.problems[0].message, /Expected an absolute path for "rel", got "a b"/);
});
