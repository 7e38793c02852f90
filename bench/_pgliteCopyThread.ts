// The thread of the end-to-end limit on PGlite (_endToEndLimit.ts): PGlite on a thread of its own,
// as the hub runs it, started on workerData's folder as the product starts it. It says 'ready',
// then COPYs each part of rows it is sent (COPY's text format, whole rows) as it comes; `null`
// ends the parts, and it answers that, once every part before is in, with { rows, cpuMs } (the
// CPU this thread took since it said 'ready') or { error }.
import { parentPort, workerData } from 'node:worker_threads';
import { startPglite } from '../src/core/store/pglite';
import { COPY_COLUMNS } from './_copyLimit';
import { cpuMsOf } from './_hubProcess';

const port = parentPort!;
void startPglite((workerData as { dir: string }).dir).then((db) => {
  let rows = 0;
  // PGlite runs one statement at a time; the chain keeps the parts in order and says when all ran.
  let copied: Promise<unknown> = Promise.resolve();
  port.on('message', (part: Uint8Array | null) => {
    if (part === null) {
      copied.then(
        () => port.postMessage({ rows, cpuMs: cpuMsOf('thread-self') - readyCpuMs }),
        (error: unknown) => port.postMessage({ error: String(error) }),
      );
      return;
    }
    copied = copied.then(async () => {
      const result = await db.query(`COPY ${COPY_COLUMNS} FROM '/dev/blob'`, [], { blob: new Blob([part]) });
      rows += result.affectedRows ?? 0;
    });
  });
  const readyCpuMs = cpuMsOf('thread-self');
  port.postMessage('ready');
});
