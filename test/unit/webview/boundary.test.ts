import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';

const root = path.join(__dirname, '../../..');

function files(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && /\.(ts|svelte)$/.test(d.name))
    .map((d) => path.relative(root, path.join(d.parentPath, d.name)));
}

// The lint rule says the same; this catches a file the lint run did not cover.
test('webviews and shared code import neither vscode nor Node built-ins', () => {
  const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
  for (const file of [...files('webview'), ...files('src/shared')]) {
    const source = readFileSync(path.join(root, file), 'utf8');
    for (const m of source.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
      const spec = m[1]!;
      assert.notEqual(spec, 'vscode', `${file} imports vscode`);
      assert.ok(!builtins.has(spec), `${file} imports ${spec}`);
      assert.ok(!/\/(core|host|server)\//.test(spec), `${file} imports ${spec}`);
    }
  }
});
