// The hub connection's thread run from the sources (tests, benches): tsx compiles it as it loads.
/* eslint-disable @typescript-eslint/no-require-imports -- a worker's script is CommonJS here */
require('tsx/cjs');
require('../../src/core/hub/connectionWorker.ts');
