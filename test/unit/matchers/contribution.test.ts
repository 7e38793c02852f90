import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { BUILTIN_MATCHERS } from '../../../src/core/matchers/builtinMatchers';
import { problemMatcherContributions } from '../../../src/core/matchers/contribution';

const manifestFile = path.join(__dirname, '../../../package.json');

// package.json holds a copy of the definitions (VS Code reads only the manifest), so the two
// must not drift: UPDATE_GOLDEN=1 writes the function's output into it, as for golden files.
test("package.json's contributes.problemMatchers is what problemMatcherContributions() renders", () => {
  const text = readFileSync(manifestFile, 'utf8');
  const manifest = JSON.parse(text);
  const expected = problemMatcherContributions();
  if (process.env.UPDATE_GOLDEN === '1') {
    manifest.contributes.problemMatchers = expected;
    writeFileSync(manifestFile, JSON.stringify(manifest, null, 2) + '\n');
    return;
  }
  assert.deepEqual(manifest.contributes.problemMatchers, expected, 'run this test with UPDATE_GOLDEN=1 to update package.json');
});

test('contributed matchers have unique vmo- names, compile, and leave out only matchers with no approximation', () => {
  const contributed = problemMatcherContributions();
  const names = contributed.map((m) => m.name);
  assert.equal(new Set(names).size, names.length);
  for (const matcher of contributed) {
    assert.match(matcher.name, /^vmo-[a-z-]+$/);
    assert.equal(matcher.owner, 'vm-orchestrator');
    const patterns = [matcher.pattern].flat();
    for (const pattern of patterns) assert.doesNotThrow(() => new RegExp(pattern.regexp), matcher.name);
    assert.ok(patterns.slice(0, -1).every((p) => !p.loop), `${matcher.name}: only the last pattern may loop`);
    assert.ok(patterns.some((p) => p.file !== undefined) && patterns.some((p) => p.message !== undefined), `${matcher.name} names a file and a message`);
  }
  assert.deepEqual(
    BUILTIN_MATCHERS.map((m) => m.name).filter((name) => !names.includes(name)),
    ['vmo-python'],
  );
});
