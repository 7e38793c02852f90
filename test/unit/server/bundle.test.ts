import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { get, spawnHub } from './helpers';

const bundle = path.join(__dirname, '../../../dist/server.js');

// The bundle, not the sources: PGlite must find its WASM, its thread's script and the migrations from dist/.
test('the built hub opens its embedded database and listens', { skip: !existsSync(bundle) && 'dist/server.js is not built', timeout: 60_000 }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vmo-hub-bundle-'));
  try {
    const hub = await spawnHub(['--data-dir', dir, '--port', '0'], 60_000, bundle);
    try {
      assert.match(hub.firstLine, /^listening http:\/\/127\.0\.0\.1:\d+$/);
      assert.ok(existsSync(path.join(dir, 'tokens')));
      // PGlite on its own thread, from the script bundled beside the hub.
      assert.doesNotMatch(hub.stderr(), /PGlite runs on the hub's thread/);
    } finally {
      await hub.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// A copy of the built hub whose database thread stops at its first statement once `trigger` exists,
// as a thread that crashed would: the hub must not go on without its store.
function hubWithFragileThread(dir: string, trigger: string): string {
  const dist = path.dirname(bundle);
  copyFileSync(bundle, path.join(dir, 'server.js'));
  const crash = `\nrequire('node:worker_threads').parentPort.on('message', () => require('node:fs').existsSync(${JSON.stringify(trigger)}) && process.exit(9));\n`;
  writeFileSync(path.join(dir, 'pgliteWorker.js'), readFileSync(path.join(dist, 'pgliteWorker.js'), 'utf8') + crash);
  symlinkSync(path.join(dist, 'node_modules'), path.join(dir, 'node_modules'));
  symlinkSync(path.join(dist, '../sql'), path.join(dir, 'sql'));
  return path.join(dir, 'server.js');
}

test('a built hub whose database thread stops says so and exits, to be started again', { skip: !existsSync(bundle) && 'dist/server.js is not built', timeout: 60_000 }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vmo-hub-lost-'));
  const trigger = path.join(dir, 'stop-now');
  const data = path.join(dir, 'data');
  try {
    const hub = await spawnHub(['--data-dir', data, '--port', '0'], 60_000, hubWithFragileThread(dir, trigger));
    try {
      const viewer = /^viewer (\S+)$/m.exec(readFileSync(path.join(data, 'tokens'), 'utf8'))![1]!;
      assert.equal((await get(hub.url, '/api/jobs', { authorization: `Bearer ${viewer}` })).status, 200);
      writeFileSync(trigger, '');
      await get(hub.url, '/api/jobs', { authorization: `Bearer ${viewer}` }).catch(() => undefined);
      assert.equal(await hub.exited, 1, hub.stderr());
      assert.match(hub.stderr(), /Stopping \(the job store is lost: The embedded database's thread stopped \(exit code 9\)\)/);
    } finally {
      await hub.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
