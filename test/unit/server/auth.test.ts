import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { bearerToken, LoginThrottle, RequestGuard, TokenChecker } from '../../../src/server/auth';
import { loadOrCreateTokens, parseTokens } from '../../../src/server/tokens';

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
