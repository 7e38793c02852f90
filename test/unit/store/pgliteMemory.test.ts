import { PgliteJobStore } from '../../../src/core/store/pgliteJobStore';
import { storeSuite } from './suite';

storeSuite('PGlite in memory', { open: () => PgliteJobStore.open() });
