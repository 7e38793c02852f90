// Prints the test files (*.test.ts) under the given folders, recursively, one per line, sorted.
// Usage: node scripts/testFiles.mjs test/unit [more folders…]   (a missing folder is skipped)
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The *.test.ts files under `dirs`, as paths relative to the current folder, sorted. */
export function testFiles(dirs) {
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'fixtures') walk(p);
      } else if (entry.isFile() && entry.name.endsWith('.test.ts')) {
        found.push(p);
      }
    }
  };
  for (const dir of dirs) if (existsSync(dir)) walk(dir);
  return [...new Set(found)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const dirs = process.argv.slice(2);
  if (dirs.length === 0) {
    process.stderr.write('usage: node scripts/testFiles.mjs <folder> [folder…]\n');
    process.exitCode = 2;
  } else {
    for (const file of testFiles(dirs)) process.stdout.write(`${file}\n`);
  }
}
