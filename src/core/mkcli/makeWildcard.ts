import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { segmentMatcher } from '../vmconfig/glob';

/** At most this many names come back from one pattern. */
const MAX_MATCHES = 10_000;

// `$(wildcard pattern)` and the globs of `include`: the existing paths matching `pattern`
// (`*`, `?` and `[…]` within one path component), relative names kept relative to `cwd`.
// Reads folder listings only.
export function wildcard(pattern: string, cwd: string): string[] {
  if (!/[*?[]/.test(pattern)) return exists(path.resolve(cwd, pattern)) ? [pattern] : [];
  const absolute = pattern.startsWith('/');
  const parts = pattern.split('/').filter((p, i) => p !== '' || i === 0);
  let found: string[] = [absolute ? '/' : ''];
  for (const [index, part] of parts.entries()) {
    if (absolute && index === 0) continue;
    const next: string[] = [];
    for (const base of found) {
      if (!/[*?[]/.test(part)) {
        const candidate = base === '' ? part : path.posix.join(base, part);
        if (exists(path.resolve(cwd, candidate))) next.push(candidate);
        continue;
      }
      const re = segmentMatcher(part);
      for (const name of list(path.resolve(cwd, base || '.'))) {
        if (name.startsWith('.') && !part.startsWith('.')) continue;
        if (re.test(name)) next.push(base === '' ? name : path.posix.join(base, name));
        if (next.length > MAX_MATCHES) return next.sort();
      }
    }
    found = next;
  }
  return found.sort();
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function exists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}
