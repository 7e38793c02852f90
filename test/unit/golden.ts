import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// Compares a value with the JSON checked in at `file`; UPDATE_GOLDEN=1 rewrites the file
// instead, so a deliberate change is one command and a reviewed diff.
export function assertGolden(actual: unknown, file: string): void {
  const text = JSON.stringify(actual, null, 2) + '\n';
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    if (process.env.CI && !existsSync(file)) assert.fail(`Missing golden file ${file}`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    return;
  }
  assert.deepEqual(JSON.parse(text), JSON.parse(readFileSync(file, 'utf8')), `differs from ${file}`);
}

/** Replaces every occurrence of `root` in string values with `<root>`, so goldens are portable. */
export function relativize<T>(value: T, root: string): T {
  return JSON.parse(JSON.stringify(value).split(root).join('<root>')) as T;
}
