import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PgliteJobStore } from '../../../src/core/store/pgliteJobStore';
import { storeSuite } from './suite';

const root = mkdtempSync(path.join(os.tmpdir(), 'vmo-pglite-suite-'));
let opened = 0;

storeSuite('PGlite on disk', {
  open: () => PgliteJobStore.open({ dir: path.join(root, `history-${++opened}`) }),
  teardown: async () => rmSync(root, { recursive: true, force: true }),
});
