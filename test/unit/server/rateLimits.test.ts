// The events limit against a real hub: reports of output count a quarter of an event each, since a
// window sends many small ones in a flood and their bytes are metered anyway; every other event
// counts whole. 10 events a second, in a burst of 20, so that the bursts below are sent well within
// the first second.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { REPORT_EVENT_COST } from '../../../src/server/rateLimits';
import { connect, lines, newJob, OPERATOR, startTestHub, type Client, type TestHub } from './helpers';

const TIMEOUT = { timeout: 60_000 };
const EVENTS = 10;
const BURST = 2 * EVENTS;
/** Reports that fit in a burst after the job's start. */
const REPORTS = Math.floor((BURST - 1) / REPORT_EVENT_COST);
let t: TestHub;
const clients: Client[] = [];
before(async () => {
  t = await startTestHub({ rateLimits: { socketEvents: EVENTS, socketBytes: 0, httpRequests: 0 } });
}, TIMEOUT);
after(async () => {
  for (const c of clients) c.close();
  await t.close();
});

async function operator(): Promise<Client> {
  const c = await connect(t.hub.url, { token: OPERATOR });
  clients.push(c);
  return c;
}

test('a burst of reports four times the events limit is taken whole', TIMEOUT, async () => {
  const op = await operator();
  const job = newJob();
  assert.equal((await op.timeout(10_000).emitWithAck('report:started', job)).ok, true);
  const answers = await Promise.all(Array.from({ length: REPORTS }, (_, i) => op.timeout(10_000).emitWithAck('report:chunks', { jobId: job.id, chunks: lines(i, 1) })));
  assert.deepEqual(
    answers.filter((a) => !a.ok),
    [],
  );
});

// Starts of jobs: as cheap to handle as reports (no query waits), but each counts whole.
test('the same burst of any other event is refused past the limit, naming it', TIMEOUT, async () => {
  const op = await operator();
  const answers = await Promise.all(Array.from({ length: REPORTS }, () => op.timeout(10_000).emitWithAck('report:started', newJob())));
  const refused = answers.flatMap((a) => (a.ok ? [] : [a.error]));
  // Those past the burst, but for what the limit gave back while the burst was read (a second at most).
  assert.ok(refused.length >= REPORTS - BURST - EVENTS, `${refused.length} of ${REPORTS} refused`);
  assert.deepEqual(new Set(refused), new Set(['Rate limit: this connection may send at most 10 events a second; try again later']));
});
