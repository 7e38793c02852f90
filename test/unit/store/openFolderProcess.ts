// Opens a PGlite job store folder in a process of its own, for the lock tests. Prints `opened`
// (and with `hold`, keeps the folder open until stdin ends) or `refused: <message>` and exits 1.
// Usage: node --import tsx openFolderProcess.ts <dir> [hold]
import { PgliteJobStore } from '../../../src/core/store/pgliteJobStore';

async function main(): Promise<void> {
  let store: PgliteJobStore;
  try {
    store = await PgliteJobStore.open({ dir: process.argv[2] });
  } catch (err) {
    console.log(`refused: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
    return;
  }
  console.log('opened');
  if (process.argv[3] === 'hold') {
    process.stdin.resume();
    await new Promise((resolve) => process.stdin.once('end', resolve));
  }
  await store.close();
}

void main();
