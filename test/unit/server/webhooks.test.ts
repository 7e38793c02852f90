// Web hooks of a real hub process, posting to HTTP receivers on loopback: one post per ended job
// (retried after a 503), only failures by default, and a receiver that never answers does not
// slow what the hub stores.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, test } from 'node:test';
import { HUB_PROTOCOL } from '../../../src/shared/hubProtocol';
import type { JobResult } from '../../../src/shared/jobs';
import type { WebhookPost } from '../../../src/server/webhooks';
import { connect, lines, newJob, OPERATOR, spawnHub, tempDir, until, VIEWER, type Client, type HubProcess } from './helpers';

const TIMEOUT = { timeout: 120_000 };
const temp = tempDir();
const closers: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const close of closers.reverse()) await close();
  temp.remove();
});

/** An HTTP receiver on loopback; `answer` picks each request's status (undefined: never answer). */
async function receiver(answer: (n: number) => number | undefined): Promise<{ url: string; posts: WebhookPost[]; requests: () => number }> {
  const posts: WebhookPost[] = [];
  let requests = 0;
  const hanging: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const status = answer(++requests);
      if (status === undefined) return void hanging.push(res);
      if (status < 300) posts.push(JSON.parse(body) as WebhookPost);
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, posts, requests: () => requests };
}

async function hub(flags: string[]): Promise<HubProcess> {
  const dir = path.join(temp.dir, `hub-${closers.length}`);
  const tokenFile = path.join(temp.dir, `tokens-${closers.length}`);
  writeFileSync(tokenFile, `viewer ${VIEWER}\noperator ${OPERATOR}\n`, { mode: 0o600 });
  const process = await spawnHub(['--port', '0', '--token-file', tokenFile, '--database', dir, ...flags], 60_000);
  closers.push(() => process.stop(5000));
  return process;
}

async function operator(url: string): Promise<Client> {
  const c = await connect(url, { token: OPERATOR, reporter: 'hook-window', protocol: HUB_PROTOCOL });
  closers.push(async () => c.close());
  return c;
}

const ended = (status: JobResult['status'], exitCode: number | null): JobResult => ({ status, exitCode, signal: null, durationMs: 1500, finishedAt: Date.now() });

/** Reports a job from start to end; resolves with how long the end took to be acknowledged. */
async function report(op: Client, title: string, result: JobResult): Promise<{ id: string; ackMs: number }> {
  const job = newJob({ title });
  assert.equal((await op.timeout(10_000).emitWithAck('report:started', job)).ok, true);
  assert.equal((await op.timeout(10_000).emitWithAck('report:chunks', { jobId: job.id, chunks: lines(0, 10) })).ok, true);
  const at = performance.now();
  assert.equal((await op.timeout(10_000).emitWithAck('report:finished', { jobId: job.id, result })).ok, true);
  return { id: job.id, ackMs: performance.now() - at };
}

test('--webhook-on all: one post per ended job with its result, a text line and the dashboard link; a 503 is tried again; a receiver that never answers slows nothing', TIMEOUT, async () => {
  const taking = await receiver((n) => (n === 1 ? 503 : 200));
  const silent = await receiver(() => undefined);
  const h = await hub(['--webhook', taking.url, '--webhook', silent.url, '--webhook-on', 'all']);
  const op = await operator(h.url);
  const jobs = [
    await report(op, 'web build', ended('success', 0)),
    await report(op, 'web deploy', ended('failed', 2)),
    await report(op, 'web lint', ended('canceled', null)),
  ];
  for (const { ackMs } of jobs) assert.ok(ackMs < 2000, `each end was stored and acknowledged at once: ${ackMs.toFixed(0)} ms`);
  await until(() => taking.posts.length === 3, 30_000, 'three posts');
  assert.equal(taking.requests(), 4, 'the first post was sent twice');
  assert.deepEqual(taking.posts.map((p) => [p.job.id, p.status, p.exitCode]), [
    [jobs[0].id, 'success', 0],
    [jobs[1].id, 'failed', 2],
    [jobs[2].id, 'canceled', null],
  ]);
  const failed = taking.posts[1];
  assert.equal(failed.url, `${h.url}/`);
  assert.equal(failed.text, `web deploy failed (exit 2) after 1.5 s on builder-1: ${h.url}/`);
  assert.deepEqual([failed.job.title, failed.job.alias, failed.job.command, failed.durationMs], ['web deploy', 'web', 'make -C /src/web build', 1500]);
  assert.ok(silent.requests() >= 1, 'the silent receiver was asked too');
});

test('by default only jobs that did not end well are posted', TIMEOUT, async () => {
  const taking = await receiver(() => 204);
  const h = await hub(['--webhook', taking.url]);
  const op = await operator(h.url);
  await report(op, 'web build', ended('success', 0));
  const failed = await report(op, 'web deploy', ended('failed', 2));
  await report(op, 'web lint', ended('canceled', null));
  await until(() => taking.posts.length === 1, 30_000, 'the failure posted');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  assert.deepEqual(taking.posts.map((p) => p.job.id), [failed.id]);
});
