import { promises as fs } from 'node:fs';
import path from 'node:path';

// A small glob for absolute patterns (Node 20 has no fs.glob): `*`, `?`, `[…]` within one path
// segment and `**` for any number of folders. Like glob(3), wildcards do not match a leading dot.
// `**` does not enter node_modules or .git, nor follow symlinked folders (no loops).

/** Stop walking `**` after this many folders, so a pattern over a huge tree stays bounded. */
const MAX_FOLDERS = 10_000;
const SKIPPED_UNDER_GLOBSTAR = new Set(['node_modules', '.git']);

/** True when `segment` has glob characters. */
export function hasMagic(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

/** Existing files and folders matching an absolute pattern, sorted. Unreadable folders are skipped. */
export async function expandGlob(pattern: string, opts: { onlyFiles?: boolean } = {}): Promise<string[]> {
  const normalized = path.resolve(pattern);
  const { root } = path.parse(normalized);
  const segments = normalized.slice(root.length).split(path.sep).filter((s) => s !== '');
  const results = new Set<string>();
  const budget = { folders: 0 };
  await walk(root, segments, 0, results, budget);
  const found = [...results].sort();
  if (!opts.onlyFiles) return found;
  const files: string[] = [];
  for (const file of found) if ((await statOrUndefined(file))?.isFile()) files.push(file);
  return files;
}

async function walk(dir: string, segments: string[], index: number, results: Set<string>, budget: { folders: number }): Promise<void> {
  if (index === segments.length) {
    results.add(dir);
    return;
  }
  const segment = segments[index];
  if (segment === '**') {
    await walk(dir, segments, index + 1, results, budget);
    if (++budget.folders > MAX_FOLDERS) return;
    for (const entry of await readDir(dir)) {
      if (!entry.isDirectory() || entry.name.startsWith('.') || SKIPPED_UNDER_GLOBSTAR.has(entry.name)) continue;
      await walk(path.join(dir, entry.name), segments, index, results, budget);
    }
    return;
  }
  if (!hasMagic(segment)) {
    const next = path.join(dir, segment);
    // Like glob(3), the last segment only has to exist as a name (a dangling link counts).
    if (index === segments.length - 1 ? await statOrUndefined(next, true) : (await statOrUndefined(next))?.isDirectory()) {
      await walk(next, segments, index + 1, results, budget);
    }
    return;
  }
  const matcher = segmentMatcher(segment);
  for (const entry of await readDir(dir)) {
    if (!matcher.test(entry.name) || (entry.name.startsWith('.') && !segment.startsWith('.'))) continue;
    await walk(path.join(dir, entry.name), segments, index + 1, results, budget);
  }
}

/** RegExp for one path segment: `*` any run, `?` one character, `[…]`/`[!…]` a class. */
export function segmentMatcher(segment: string): RegExp {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i];
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else if (ch === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close < 0) {
        source += '\\[';
        continue;
      }
      let body = segment.slice(i + 1, close);
      if (body.startsWith('!')) body = '^' + body.slice(1);
      source += '[' + body.replace(/\\/g, '\\\\') + ']';
      i = close;
    } else source += ch.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, process.platform === 'win32' ? 'i' : '');
}

async function readDir(dir: string) {
  try {
    return await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

async function statOrUndefined(file: string, noFollow = false) {
  try {
    return await (noFollow ? fs.lstat(file) : fs.stat(file));
  } catch {
    return undefined;
  }
}
