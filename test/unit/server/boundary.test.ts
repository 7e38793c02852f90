import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const root = path.join(__dirname, '../../..');

// The lint rule says the same; this catches a file the lint run did not cover.
test('the hub imports neither vscode nor the extension host code', () => {
  const files = readdirSync(path.join(root, 'src/server'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  assert.ok(files.includes('main.ts'));
  for (const file of files) {
    const source = readFileSync(path.join(root, 'src/server', file), 'utf8');
    for (const m of source.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
      assert.notEqual(m[1], 'vscode', `${file} imports vscode`);
      assert.ok(!/\/host\/|extension$/.test(m[1]), `${file} imports ${m[1]}`);
    }
  }
});
