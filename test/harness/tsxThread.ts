// A worker thread does not get the tsx hooks of the process that starts it (`--import tsx`): a
// thread that runs TypeScript source starts from a CommonJS shim that registers them first.
import { writeFileSync } from 'node:fs';
import path from 'node:path';

/** Writes into `dir` the shim that runs the TypeScript file `source`; returns its path, a worker's script. */
export function tsxThreadScript(dir: string, source: string): string {
  const shim = path.join(dir, `${path.basename(source, '.ts')}.cjs`);
  writeFileSync(shim, `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register();\nrequire(${JSON.stringify(source)});\n`);
  return shim;
}
