// Where things are: the repository, test results, and the tools scripts/provision.mjs installs.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

// path.dirname(__filename), not __dirname: tsx's tsImport() (used by scripts/demo.mjs) gets __dirname wrong.
export const ROOT = path.resolve(path.dirname(__filename), '..', '..');
export const RESULTS_DIR = path.join(ROOT, 'test-results');
export const FIXTURES_DIR = path.join(ROOT, 'test', 'fixtures');

/** Tool paths, as printed by `node scripts/provision.mjs --json`. */
export interface Tools {
  node24Bin: string;
  /** code-server's entry script; run it with node24Bin. */
  codeServerBin: string;
  chromium?: string;
  postgresBin?: string;
  sshd?: string;
}

let cached: Tools | undefined;

/** Provisions (a no-op when all is present) and returns the tool paths; cached per process. */
export function tools(): Tools {
  if (!cached) {
    const out = execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'provision.mjs'), '--json'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 15 * 60_000,
    });
    cached = JSON.parse(out) as Tools;
  }
  return cached;
}

/** A folder for one test's artifacts, `test-results/<name>/`, with the name made file-safe. */
export function resultsDirFor(testName: string): string {
  const safe = testName.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 100) || 'test';
  const dir = path.join(RESULTS_DIR, safe);
  mkdirSync(dir, { recursive: true });
  return dir;
}
