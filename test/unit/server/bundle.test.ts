import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

const bundle = path.join(__dirname, '../../../dist/server.js');

// The bundle, not the sources: PGlite must find its WASM, its thread's script and the migrations from dist/.
test('the built hub opens its embedded database and listens', { skip: !existsSync(bundle) && 'dist/server.js is not built', timeout: 60_000 }, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vmo-hub-bundle-'));
  const hub = spawn(process.execPath, [bundle, '--data-dir', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  hub.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  try {
    const first = await new Promise<string>((resolve, reject) => {
      let out = '';
      hub.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]);
      });
      hub.on('exit', (code) => reject(new Error(`hub exited with ${String(code)} before listening`)));
    });
    assert.match(first, /^listening http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(existsSync(path.join(dir, 'tokens')));
    // PGlite on its own thread, from the script bundled beside the hub.
    assert.doesNotMatch(stderr, /PGlite runs on the hub's thread/);
  } finally {
    hub.kill('SIGTERM');
    await new Promise((resolve) => hub.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
});
