import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { bearerToken, LoginThrottle, RequestGuard, TokenChecker } from '../../../src/server/auth';
import { loadOrCreateTokens, parseTokens } from '../../../src/server/tokens';
import { connect, startTestHub, VIEWER, type TestHub } from './helpers';

/** A temp folder, removed after the test. */
function folder(t: TestContext): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vmo-tokens-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a missing token file is created 0600 with one token of each role, and read back the next time', (t) => {
  const file = path.join(folder(t), 'sub', 'tokens');
  const first = loadOrCreateTokens(file);
  assert.equal(first.created, true);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(first.entries.map((e) => e.role), ['viewer', 'operator']);
  assert.notEqual(first.entries[0].token, first.entries[1].token);
  const second = loadOrCreateTokens(file);
  assert.equal(second.created, false);
  assert.deepEqual(second.entries, first.entries);
  assert.match(readFileSync(file, 'utf8'), /^viewer \S{40,}$/m);
});

test('a bad token line names the file and line but never echoes the token', (t) => {
  assert.throws(() => parseTokens('# c\n\nadmin secret-secret-secret\n', 'f'), (err: Error) => err.message === 'f:3: expected "<viewer|operator> <token>"');
  assert.throws(() => parseTokens('viewer short\n', 'f'), /f:1: a token must be at least 16 characters/);
  assert.throws(() => parseTokens('\n# only comments\n', 'f'), /f: no tokens/);
  const file = path.join(folder(t), 'tokens');
  writeFileSync(file, 'operator x\n');
  assert.throws(() => loadOrCreateTokens(file), /tokens:1/);
});

test('TokenChecker: the role of a known token, nothing for anything else', () => {
  const checker = new TokenChecker([
    { role: 'viewer', token: 'v'.repeat(20) },
    { role: 'operator', token: 'o'.repeat(20) },
  ]);
  assert.equal(checker.roleOf('v'.repeat(20)), 'viewer');
  assert.equal(checker.roleOf('o'.repeat(20)), 'operator');
  for (const bad of ['', 'v'.repeat(19), 'v'.repeat(21), undefined, 42, { token: 'x' }, 'x'.repeat(5000)]) assert.equal(checker.roleOf(bad), undefined);
});

test('bearerToken reads only a well-formed Authorization header', () => {
  assert.equal(bearerToken('Bearer abc'), 'abc');
  assert.equal(bearerToken('bearer  abc '), 'abc');
  assert.equal(bearerToken('Basic abc'), undefined);
  assert.equal(bearerToken('Bearer a b'), undefined);
  assert.equal(bearerToken(undefined), undefined);
});

test('RequestGuard: loopback or configured Host; Origin absent or the hub itself', () => {
  const guard = new RequestGuard('127.0.0.1', () => 4100);
  assert.equal(guard.check({ host: '127.0.0.1:4100' }), undefined);
  assert.equal(guard.check({ host: 'localhost:4100', origin: 'http://localhost:4100' }), undefined);
  assert.equal(guard.check({ host: '[::1]:4100' }), undefined);
  assert.match(guard.check({ host: 'evil.example:4100' }) ?? '', /Host/);
  assert.match(guard.check({}) ?? '', /Host/);
  assert.match(guard.check({ host: '127.0.0.1:4100', origin: 'http://evil.example' }) ?? '', /Origin/);
  assert.match(guard.check({ host: '127.0.0.1:4100', origin: 'http://127.0.0.1:9999' }) ?? '', /Origin/);
  assert.match(guard.check({ host: '127.0.0.1:4100', origin: 'null' }) ?? '', /Origin/);
  const team = new RequestGuard('hub.lan', () => 80);
  assert.equal(team.check({ host: 'hub.lan', origin: 'http://hub.lan' }), undefined);
});

test('RequestGuard: through a proxy that passes the Host on, an Origin naming that same host and port passes', () => {
  // code-server on 8094 serving the hub under /proxy/4100/: the browser names code-server in both.
  const guard = new RequestGuard('127.0.0.1', () => 4100);
  assert.equal(guard.check({ host: '127.0.0.1:8094', origin: 'http://127.0.0.1:8094' }), undefined);
  assert.equal(guard.check({ host: 'localhost:8094', origin: 'https://localhost:8094' }), undefined);
  assert.equal(guard.check({ host: 'localhost', origin: 'https://localhost' }), undefined);
  // Another page on this machine, or another port of the proxy's host, is not the page's origin.
  assert.match(guard.check({ host: '127.0.0.1:8094', origin: 'http://127.0.0.1:8095' }) ?? '', /Origin/);
  assert.match(guard.check({ host: '127.0.0.1:8094', origin: 'http://localhost:8094' }) ?? '', /Origin/);
  assert.match(guard.check({ host: 'localhost', origin: 'https://localhost:80' }) ?? '', /Origin/);
  assert.match(guard.check({ host: '127.0.0.1:8094', origin: 'ws://127.0.0.1:8094' }) ?? '', /Origin/);
  // A rebound name is refused for its Host, whatever the Origin.
  assert.match(guard.check({ host: 'evil.example:8094', origin: 'http://evil.example:8094' }) ?? '', /Host/);
});

test('LoginThrottle: each failure from one address waits longer, up to the maximum', async () => {
  const throttle = new LoginThrottle(20, 60);
  const waits: number[] = [];
  for (let i = 0; i < 4; i++) {
    const start = Date.now();
    await throttle.failed('1.2.3.4');
    waits.push(Date.now() - start);
  }
  assert.ok(waits[0] >= 15 && waits[1] >= 35 && waits[2] >= 55 && waits[3] >= 55, String(waits));
  assert.ok(waits[3] < 1000, String(waits));
});

/** Resolves with how long each promise took to settle, from `start`, in the order given. */
const settledAfter = (start: number, all: Promise<unknown>[]): Promise<number[]> => Promise.all(all.map((p) => p.then(() => Date.now() - start, () => Date.now() - start)));

test('LoginThrottle: failures sent at once from one address are answered one after another, each its delay after the one before; another address has its own line', async () => {
  const throttle = new LoginThrottle(5, 20);
  const start = Date.now();
  const line = Array.from({ length: 20 }, () => throttle.failed('1.2.3.4'));
  const other = settledAfter(start, [throttle.failed('5.6.7.8')]);
  const times = await settledAfter(start, line);
  // 5 + 10 + 18 × 20 ms, in order.
  assert.ok(times[19] >= 370, String(times));
  for (let i = 1; i < times.length; i++) assert.ok(times[i] >= times[i - 1], String(times));
  assert.ok((await other)[0] < times[5], `the other address waited ${(await other)[0]} ms`);
  assert.deepEqual(new Set(await Promise.all(line)), new Set(['waited']));
});

test('LoginThrottle: past the most failures that may wait, or the most addresses, a failure is answered at once as crowded', async () => {
  const throttle = new LoginThrottle(50, 50, 60_000, 10, 2);
  const start = Date.now();
  const answers = Array.from({ length: 15 }, () => throttle.failed('1.2.3.4'));
  const crowded = await Promise.all(answers.slice(10));
  assert.deepEqual(crowded, Array(5).fill('crowded'));
  assert.ok(Date.now() - start < 40, `crowded answers took ${Date.now() - start} ms`);
  assert.deepEqual(await Promise.all(answers.slice(0, 10)), Array(10).fill('waited'));
  assert.equal(await throttle.failed('5.6.7.8'), 'waited');
  assert.equal(await throttle.failed('9.9.9.9'), 'crowded', 'a third address is over the most remembered');
});

/** A hub whose failed logins wait 10, 20, then 40 ms each. */
async function throttledHub(t: TestContext, maxWaiting?: number): Promise<TestHub> {
  const hub = await startTestHub({ throttle: new LoginThrottle(10, 40, 60_000, maxWaiting) });
  t.after(() => hub.close());
  return hub;
}

const wrongGet = (hub: TestHub): Promise<number> => fetch(`${hub.hub.url}/api/jobs`, { headers: { authorization: 'Bearer wrong-token-wrong-token' }, signal: AbortSignal.timeout(30_000) }).then((r) => r.status);

// The whole line: 10 + 20 + 38 × 40 ms.
const LINE_MS = 1550;

test('a real hub: 40 wrong tokens sent at once (HTTP and Socket.io) are answered in one line, as slowly as 40 in turn; a right token answers at once meanwhile', { timeout: 60_000 }, async (t) => {
  const hub = await throttledHub(t);
  const start = Date.now();
  const wrong = [
    ...Array.from({ length: 20 }, () => wrongGet(hub)),
    ...Array.from({ length: 20 }, () => connect(hub.hub.url, { token: 'wrong-token-wrong-token' }).then(
      (c) => c.close(),
      (err: Error) => err.message,
    )),
  ];
  const times = settledAfter(start, wrong);
  await new Promise((resolve) => setTimeout(resolve, 100));
  const right = Date.now();
  const ok = await fetch(`${hub.hub.url}/api/jobs`, { headers: { authorization: `Bearer ${VIEWER}` }, signal: AbortSignal.timeout(10_000) });
  assert.equal(ok.status, 200);
  const socket = await connect(hub.hub.url, { token: VIEWER });
  socket.close();
  const rightMs = Date.now() - right;
  const wrongMs = await times;
  assert.deepEqual(await Promise.all(wrong), [...Array(20).fill(401), ...Array(20).fill('unauthorized')]);
  assert.ok(Math.max(...wrongMs) >= LINE_MS * 0.95, `the 40 wrong tokens were answered within ${Math.max(...wrongMs)} ms`);
  assert.ok(rightMs < LINE_MS / 2, `the right token waited ${rightMs} ms`);
});

test('a real hub: past the most failed logins that may wait, a wrong token is answered 429 (HTTP) or unauthorized (Socket.io) at once; a right token still answers', { timeout: 60_000 }, async (t) => {
  const throttle = new LoginThrottle(200, 200, 60_000, 10);
  const hub = await startTestHub({ throttle });
  t.after(() => hub.close());
  // The line is full for 10 × 200 ms: filled here, as the cap counts the failures of every address.
  const start = Date.now();
  const line = Promise.all(Array.from({ length: 10 }, () => throttle.failed('10.0.0.1')));
  assert.deepEqual(await Promise.all(Array.from({ length: 20 }, () => wrongGet(hub))), Array(20).fill(429));
  await assert.rejects(connect(hub.hub.url, { token: 'wrong-token-wrong-token' }), /unauthorized/);
  const ok = await fetch(`${hub.hub.url}/api/jobs`, { headers: { authorization: `Bearer ${VIEWER}` }, signal: AbortSignal.timeout(10_000) });
  assert.equal(ok.status, 200);
  const crowdedMs = Date.now() - start;
  assert.deepEqual(await line, Array(10).fill('waited'));
  const lineMs = Date.now() - start;
  assert.ok(crowdedMs < lineMs && lineMs >= 1900, `the crowded answers took ${crowdedMs} ms, the line ${lineMs} ms`);
  assert.equal(await wrongGet(hub), 401, 'once the line is empty, a failure waits its turn again');
});
