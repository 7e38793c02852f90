import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

// Run by `node -e` with argv: the PGlite module, the folder, the start parameters (JSON).
const INITDB = `
const { PGlite } = require(process.argv[1]);
PGlite.create(process.argv[2], { startParams: JSON.parse(process.argv[3]) }).then((db) => db.close()).catch((err) => {
  process.stderr.write(String(err && err.stack || err));
  process.exit(1);
});
`;

// initdb of a large install is minutes on a busy 2-core machine; past this the folder is given up.
const INITDB_TIMEOUT_MS = 10 * 60_000;

/** True when `dir` holds no database yet (PGlite runs initdb on such a folder). */
export function needsInitdb(dir: string): boolean {
  return !existsSync(path.join(dir, 'PG_VERSION'));
}

// Creates the database in the new folder `dir` in a process of its own, which then exits. In the
// opening process, initdb runs a second PGlite instance beside initdb's own WASM: ~550 MB that V8
// keeps until a full garbage collection an idle hub has no reason to run (a hub just started on a
// new folder held 454–702 MB; on one that exists, the same hub holds a third of that). A process
// that exits returns all of it at once, and initdb's CPU (~8 s here, against ~1.2 s to open an
// existing folder) stays off the opener's event loop. A worker thread was tried: its isolate's
// memory was not returned (278 MB against 159 MB this way).
export function initdbApart(dir: string, startParams: readonly string[]): Promise<void> {
  const pglite = require.resolve('@electric-sql/pglite');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', INITDB, pglite, dir, JSON.stringify(startParams)], { timeout: INITDB_TIMEOUT_MS, maxBuffer: 2 ** 20 }, (err, _stdout, stderr) =>
      err ? reject(new Error(`initdb of ${dir} failed: ${stderr.trim() || err.message}`, { cause: err })) : resolve(),
    );
  });
}
