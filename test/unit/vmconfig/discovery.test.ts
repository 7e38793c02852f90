import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { findEnvironmentFiles } from '../../../src/core/vmconfig/findEnvironmentFiles';
import { expandGlob, segmentMatcher } from '../../../src/core/vmconfig/glob';

let dir: string;
const touch = async (rel: string) => {
  await fs.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
  await fs.writeFile(path.join(dir, rel), 'vms: {}\n');
};

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vmconfig-discovery-'));
  await touch('a/environments/dev/config.yml');
  await touch('a/environments/dev/config.yaml');
  await touch('a/environments/prod/config.yml');
  await touch('a/environments/prod/other.yml');
  await touch('a/node_modules/pkg/environments/x/config.yml');
  await touch('a/infra/deep/er/config.yml');
  await touch('b/environments/dev/config.yml');
});
after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

test('finds config.yml and config.yaml under every root, sorted, without duplicates', async () => {
  const a = path.join(dir, 'a');
  const b = path.join(dir, 'b');
  const files = await findEnvironmentFiles([b, a, a, path.join(dir, 'missing')], []);
  assert.deepEqual(files, [
    path.join(a, 'environments/dev/config.yaml'),
    path.join(a, 'environments/dev/config.yml'),
    path.join(a, 'environments/prod/config.yml'),
    path.join(b, 'environments/dev/config.yml'),
  ]);
});

test('relative extra globs apply to each root; ** skips node_modules', async () => {
  const a = path.join(dir, 'a');
  const files = await findEnvironmentFiles([a], ['**/config.yml']);
  assert.deepEqual(files, [
    path.join(a, 'environments/dev/config.yaml'),
    path.join(a, 'environments/dev/config.yml'),
    path.join(a, 'environments/prod/config.yml'),
    path.join(a, 'infra/deep/er/config.yml'),
  ]);
});

test('an absolute glob is used once; folders never match as files', async () => {
  const files = await findEnvironmentFiles([path.join(dir, 'a'), path.join(dir, 'b')], [path.join(dir, '*/environments/*'), path.join(dir, 'b/environments/*/config.yml')]);
  assert.deepEqual(files, [
    path.join(dir, 'a/environments/dev/config.yaml'),
    path.join(dir, 'a/environments/dev/config.yml'),
    path.join(dir, 'a/environments/prod/config.yml'),
    path.join(dir, 'b/environments/dev/config.yml'),
  ]);
});

test('glob segments: *, ?, classes, and no leading dot', async () => {
  assert.ok(segmentMatcher('config.y?l').test('config.yml'));
  assert.ok(!segmentMatcher('config.y?l').test('config.yaml'));
  assert.ok(segmentMatcher('*.conf').test('a.b.conf'));
  assert.ok(segmentMatcher('[ab]x').test('bx'));
  assert.ok(!segmentMatcher('[!ab]x').test('ax'));
  assert.ok(segmentMatcher('a+(b)').test('a+(b)'), 'regex characters are literal');
  assert.deepEqual(await expandGlob(path.join(dir, 'a/environments/*/other.yml')), [path.join(dir, 'a/environments/prod/other.yml')]);
  assert.deepEqual(await expandGlob(path.join(dir, 'nothing/*')), []);
});
