// The thread that staticThread.ts starts: reads makefiles as text (readStaticTargets), off the
// extension host's thread, one request at a time.
import { parentPort } from 'node:worker_threads';
import { messageOf } from '../../shared/errors';
import { readStaticTargets } from './staticTargets';
import type { FromStaticThread, ToStaticThread } from './staticThread';

const port = parentPort!;

port.on('message', ({ id, dir, makefile, options }: ToStaticThread) => {
  let answer: FromStaticThread;
  try {
    answer = { id, listing: readStaticTargets(dir, makefile, options) };
  } catch (err) {
    answer = { id, error: messageOf(err) };
  }
  port.postMessage(answer);
});
port.postMessage({ ready: true } satisfies FromStaticThread);
