import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PgliteJobStore } from '../../../src/core/store/pgliteJobStore';
import { pgliteThreadScript } from './helpers';
import { storeSuite } from './suite';

const root = mkdtempSync(path.join(os.tmpdir(), 'vmo-pglite-suite-'));
const thread = pgliteThreadScript(root);
let opened = 0;

// On disk and on a thread of its own, as the hub runs it.
storeSuite('PGlite on disk, on its own thread', {
  open: () => PgliteJobStore.open({ dir: path.join(root, `history-${++opened}`), thread }),
  teardown: async () => rmSync(root, { recursive: true, force: true }),
});
