import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readBoundedSync, READ_LIMITS } from '../core/util/readBounded';
import type { HubRole } from '../shared/hubProtocol';

/** One line of the token file. */
export interface TokenEntry {
  role: HubRole;
  token: string;
}

/** A new random token: 32 bytes, base64url. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

// Parses `<role> <token>` lines; blank lines and `#` comments are skipped, anything else that
// does not fit is an error naming the line (the token itself is never echoed).
export function parseTokens(text: string, file: string): TokenEntry[] {
  const entries: TokenEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const [role, token, ...rest] = line.split(/\s+/);
    if ((role !== 'viewer' && role !== 'operator') || !token || rest.length > 0) {
      throw new Error(`${file}:${i + 1}: expected "<viewer|operator> <token>"`);
    }
    if (token.length < 16) throw new Error(`${file}:${i + 1}: a token must be at least 16 characters`);
    entries.push({ role, token });
  });
  if (entries.length === 0) throw new Error(`${file}: no tokens`);
  return entries;
}

// Reads the token file, or creates it (mode 0600, in a folder created 0700) with one new token
// of each role when it does not exist. `wx` makes a second hub starting at the same moment read
// the first one's file instead of overwriting it. The file is read bounded: a FIFO, a device or a
// file over 64 KiB is an error naming it, never a hang.
export function loadOrCreateTokens(file: string): { entries: TokenEntry[]; created: boolean } {
  let created = false;
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, `# VM Orchestrator hub tokens: <viewer|operator> <token>\nviewer ${newToken()}\noperator ${newToken()}\n`, { flag: 'wx', mode: 0o600 });
    chmodSync(file, 0o600);
    created = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`Could not create the token file ${file}`, { cause: err });
  }
  return { entries: parseTokens(readBoundedSync(file, READ_LIMITS.tokens), file), created };
}
