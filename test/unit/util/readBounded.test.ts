import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { FileReadError, openRegularSync, readBounded, readBoundedSync } from '../../../src/core/util/readBounded';
import { HOSTILE_FILES, within } from './hostileFiles';

const dir = mkdtempSync(path.join(os.tmpdir(), 'vmo-read-bounded-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const LIMIT = 1024 * 1024;

for (const [i, hostile] of HOSTILE_FILES.entries()) {
  test(`refused quickly, async and sync: ${hostile.name}`, async () => {
    const file = path.join(dir, `hostile-${i}`);
    hostile.make(file);
    const started = performance.now();
    const error = await within(2000, readBounded(file, LIMIT).then(() => undefined, (e: unknown) => e));
    assert.ok(error instanceof FileReadError, `refused: ${String(error)}`);
    assert.equal(error.file, file);
    assert.match(error.detail, hostile.detail);
    assert.equal(error.message, `${file} ${error.detail}`);
    assert.equal(error.sentence, `The file ${error.detail}.`);
    assert.throws(() => readBoundedSync(file, LIMIT), (e: unknown) => e instanceof FileReadError && hostile.detail.test(e.detail));
    assert.throws(() => openRegularSync(file, LIMIT), FileReadError);
    assert.ok(performance.now() - started < 2000, 'returns at once');
  });
}

test('a regular file is read whole, up to and including the limit', async () => {
  const file = path.join(dir, 'exact');
  writeFileSync(file, 'x'.repeat(100));
  assert.equal(await readBounded(file, 100), 'x'.repeat(100));
  assert.equal(readBoundedSync(file, 100), 'x'.repeat(100));
  await assert.rejects(readBounded(file, 99), { code: 'EFBIG', detail: 'is 100 bytes, over the 99 bytes limit' });
  const justOver = path.join(dir, 'just-over');
  writeFileSync(justOver, 'x'.repeat(1024 * 1024 + 7));
  assert.throws(() => readBoundedSync(justOver, 1024 * 1024), { code: 'EFBIG', detail: 'is 1048583 bytes, over the 1 MiB limit' });
});

test('an empty file is empty text; invalid UTF-8 becomes U+FFFD', async () => {
  const empty = path.join(dir, 'empty');
  writeFileSync(empty, '');
  assert.equal(await readBounded(empty, 10), '');
  const bad = path.join(dir, 'bad-utf8');
  writeFileSync(bad, Buffer.from([0x61, 0xff, 0x62]));
  assert.equal(await readBounded(bad, 10), 'a\ufffdb');
});

test('a missing file and a link to nothing name the file and say so', async () => {
  const missing = path.join(dir, 'missing');
  await assert.rejects(readBounded(missing, 10), { code: 'ENOENT', message: `${missing} does not exist (or is a link to nothing)` });
  assert.throws(() => readBoundedSync(missing, 10), { code: 'ENOENT' });
});

test('openRegularSync gives the descriptor and the size it had when opened', () => {
  const file = path.join(dir, 'pieces');
  writeFileSync(file, 'a'.repeat(10));
  const { fd, size } = openRegularSync(file, 20);
  closeSync(fd);
  assert.equal(size, 10);
  assert.throws(() => openRegularSync(file, 9), { code: 'EFBIG' });
});
