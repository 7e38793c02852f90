// The HubReporter sending on a thread of its own, as the extension runs it: every case of
// reporterCases.ts, and a thread that dies mid-job.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { HubReporter } from '../../../src/core/hub/hubReporter';
import { CONNECTION_THREAD } from '../../harness/paths';
import { get, lines, newJob, OPERATOR, startTestHub, tempDir, until, type TestHub } from '../server/helpers';
import { reporterCases } from './reporterCases';

reporterCases(CONNECTION_THREAD);

const temp = tempDir();
let hub: TestHub | undefined;
let reporter: HubReporter | undefined;
after(async () => {
  await reporter?.close(100);
  await hub?.close();
  temp.remove();
});

// The thread's script, which ends its thread (exit code 3) as the first chunks of output reach
// it, once: a thread that fails for any reason. A mark file says it did.
function crashingThread(mark: string): string {
  const script = path.join(temp.dir, 'crashing-thread.cjs');
  writeFileSync(
    script,
    `require(${JSON.stringify(CONNECTION_THREAD)});
const { existsSync, writeFileSync } = require('node:fs');
require('node:worker_threads').parentPort.on('message', (m) => {
  if (m.type !== 'request' || m.event !== 'report:chunks' || existsSync(${JSON.stringify(mark)})) return;
  writeFileSync(${JSON.stringify(mark)}, '');
  process.exit(3);
});
`,
  );
  return script;
}

test('the connection’s thread dies mid-job: it is started again and every chunk is stored once, in order', { timeout: 120_000 }, async () => {
  hub = await startTestHub();
  const mark = path.join(temp.dir, 'crashed');
  const log: string[] = [];
  reporter = new HubReporter({ url: hub.hub.url, token: OPERATOR, reporterId: 'window-crash', spoolDir: path.join(temp.dir, 'spool'), thread: crashingThread(mark), log: (m) => log.push(m) });
  await until(() => reporter!.connected, 20_000, 'the reporter to connect');
  const job = newJob();
  reporter.started(job);
  for (let seq = 0; seq < 3000; seq += 100) reporter.chunks(job.id, lines(seq, 100));
  reporter.finished(job.id, { status: 'success', exitCode: 0, signal: null, durationMs: 1, finishedAt: Date.now() });
  assert.equal(await reporter.idle(60_000), true, log.join('\n'));
  assert.ok(existsSync(mark), 'the thread died once');
  assert.ok(log.some((m) => /thread stopped \(exit code 3\); starting it again/.test(m)), log.join('\n'));

  const stored: { seq: number; text: string }[] = [];
  for (;;) {
    const { body } = await get(hub.hub.url, `/api/jobs/${job.id}/events?fromSeq=${stored.length}&limit=10000`);
    const page = body.chunks as { seq: number; text: string }[];
    if (page.length === 0) break;
    stored.push(...page);
  }
  assert.deepEqual(
    stored.map((c) => [c.seq, c.text]),
    lines(0, 3000).map((c) => [c.seq, c.text]),
  );
  assert.equal(((await get(hub.hub.url, `/api/jobs/${job.id}`)).body.job as { status: string }).status, 'success');
});
