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
  await touch('a/environments/stage/config.yaml');
  await touch('a/infra/loose/b.yml');
  await touch('a/infra/loose/a.yml');
  await touch('a/node_modules/pkg/environments/x/config.yml');
  await touch('a/infra/deep/er/config.yml');
  await touch('b/environments/dev/config.yml');
});
after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const ignoredYaml = (file: string) => ({
  severity: 'warning',
  message: 'Ignored: environment "dev" is read from config.yml beside it, the file vm-config reads; a folder holds one environment. Move what this file adds there and delete it.',
  file,
});

test('finds config.yml or config.yaml under every root, sorted, without duplicates; config.yml wins over config.yaml beside it', async () => {
  const a = path.join(dir, 'a');
  const b = path.join(dir, 'b');
  const found = await findEnvironmentFiles([b, a, a, path.join(dir, 'missing')], []);
  assert.deepEqual(found.files, [
    path.join(a, 'environments/dev/config.yml'),
    path.join(a, 'environments/prod/config.yml'),
    path.join(a, 'environments/stage/config.yaml'),
    path.join(b, 'environments/dev/config.yml'),
  ]);
  assert.deepEqual(found.problems, [ignoredYaml(path.join(a, 'environments/dev/config.yaml'))]);
});

test('relative extra globs apply to each root; ** skips node_modules; one file per folder', async () => {
  const a = path.join(dir, 'a');
  const found = await findEnvironmentFiles([a], ['**/config.yml', 'environments/prod/*.yml']);
  assert.deepEqual(found.files, [
    path.join(a, 'environments/dev/config.yml'),
    path.join(a, 'environments/prod/config.yml'),
    path.join(a, 'environments/stage/config.yaml'),
    path.join(a, 'infra/deep/er/config.yml'),
  ]);
  assert.deepEqual(found.problems, [
    ignoredYaml(path.join(a, 'environments/dev/config.yaml')),
    {
      severity: 'warning',
      message: 'Ignored: environment "prod" is read from config.yml beside it, the file vm-config reads; a folder holds one environment. Move what this file adds there and delete it.',
      file: path.join(a, 'environments/prod/other.yml'),
    },
  ]);
});

test('an absolute glob is used once; folders never match as files', async () => {
  const found = await findEnvironmentFiles([path.join(dir, 'a'), path.join(dir, 'b')], [path.join(dir, '*/environments/*'), path.join(dir, 'b/environments/*/config.yml')]);
  assert.deepEqual(found.files, [
    path.join(dir, 'a/environments/dev/config.yml'),
    path.join(dir, 'a/environments/prod/config.yml'),
    path.join(dir, 'a/environments/stage/config.yaml'),
    path.join(dir, 'b/environments/dev/config.yml'),
  ]);
});

test('without config.yml or config.yaml, a folder\'s files from a glob are one environment, the first by name', async () => {
  const found = await findEnvironmentFiles([path.join(dir, 'a')], ['infra/loose/*.yml']);
  assert.deepEqual(found.files.filter((f) => f.includes('loose')), [path.join(dir, 'a/infra/loose/a.yml')]);
  assert.deepEqual(found.problems.filter((p) => p.file.includes('loose')), [
    {
      severity: 'warning',
      message: 'Ignored: environment "loose" is read from a.yml beside it; a folder holds one environment. Move what this file adds there and delete it.',
      file: path.join(dir, 'a/infra/loose/b.yml'),
    },
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
