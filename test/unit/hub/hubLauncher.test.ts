import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { ensureHub, HUB_PRIORITY, readState, type EnsureHubOptions, type HubConnection } from '../../../src/core/hub/hubLauncher';
import { pidAlive } from '../../../src/core/util/pidAlive';
import { tempDir } from '../server/helpers';

const TIMEOUT = { timeout: 120_000 };
const REPO = path.resolve(__dirname, '../../..');
const pids = new Set<number>();
const cleanups: (() => void)[] = [];

// Every hub started here is killed at the end, also when a test failed.
after(async () => {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  const start = Date.now();
  while ([...pids].some(pidAlive) && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 50));
  for (const c of cleanups) c();
});

function options(version = '1.0.0'): EnsureHubOptions {
  const temp = tempDir();
  cleanups.push(temp.remove);
  return {
    serverScript: path.join(REPO, 'src/server/main.ts'),
    nodeArgs: ['--import', 'tsx'],
    stateDir: path.join(temp.dir, 'state'),
    nodePath: process.execPath,
    env: { ...process.env, NODE_OPTIONS: '' },
    version,
    database: path.join(temp.dir, 'db'),
    startTimeoutMs: 60_000,
  };
}

async function ensure(o: EnsureHubOptions): Promise<HubConnection> {
  const hub = await ensureHub({ ...o, env: { ...o.env } });
  pids.add(hub.pid);
  return hub;
}

async function waitGone(pid: number, ms = 15_000): Promise<void> {
  const start = Date.now();
  while (pidAlive(pid)) {
    if (Date.now() - start > ms) throw new Error(`pid ${pid} still alive after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('the first call starts a hub and writes the state file 0600; the second reuses it', TIMEOUT, async () => {
  const o = options();
  const first = await ensure(o);
  assert.equal(first.started, true);
  assert.match(first.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.ok(first.tokens.operator.length >= 16 && first.tokens.viewer.length >= 16);
  const state = readState(o.stateDir)!;
  assert.deepEqual({ pid: state.pid, url: state.url, version: state.version }, { pid: first.pid, url: first.url, version: '1.0.0' });
  assert.equal(statSync(path.join(o.stateDir, 'hub.json')).mode & 0o777, 0o600);
  assert.equal(os.getPriority(first.pid), HUB_PRIORITY, 'the hub runs below normal priority');
  assert.ok(readFileSync(`/proc/${first.pid}/cmdline`, 'utf8').split('\0').includes('--max-semi-space-size=4'), 'a hub on PGlite keeps a small young generation');
  const environ = readFileSync(`/proc/${first.pid}/environ`, 'utf8').split('\0');
  assert.ok(environ.includes('MALLOC_ARENA_MAX=2') && environ.includes('MALLOC_MMAP_THRESHOLD_=131072'), 'glibc is told to give large blocks back');
  const res = await fetch(`${first.url}/api/jobs`, { headers: { authorization: `Bearer ${first.tokens.viewer}` } });
  assert.equal(res.status, 200);

  const second = await ensure(o);
  assert.deepEqual(second, { ...first, started: false });
});

test('a state file with a dead pid is replaced by a new hub', TIMEOUT, async () => {
  const o = options();
  const first = await ensure(o);
  process.kill(first.pid, 'SIGKILL');
  await waitGone(first.pid);
  const second = await ensure(o);
  assert.equal(second.started, true);
  assert.notEqual(second.pid, first.pid);
  assert.equal(readState(o.stateDir)!.pid, second.pid);
});

test('a state file that names a live pid of another program is replaced, and that program is left alone', TIMEOUT, async () => {
  const o = options();
  const first = await ensure(o);
  process.kill(first.pid, 'SIGKILL');
  await waitGone(first.pid);
  // This test's own process: alive, but not a hub.
  writeFileSync(path.join(o.stateDir, 'hub.json'), JSON.stringify({ ...readState(o.stateDir)!, pid: process.pid }));
  const second = await ensure(o);
  assert.equal(second.started, true);
  assert.ok(pidAlive(process.pid));
});

/** The hub at `hub.url` answers its API with the token it was given. */
async function answers(hub: HubConnection): Promise<number> {
  return (await fetch(`${hub.url}/api/jobs`, { headers: { authorization: `Bearer ${hub.tokens.viewer}` } })).status;
}

test('a hub started again after the last one exited when idle listens on its port, with the same tokens', TIMEOUT, async () => {
  const o = { ...options(), idleExitSeconds: 1 };
  const first = await ensure(o);
  // Nobody connects: it exits by itself.
  await waitGone(first.pid);
  const second = await ensure(o);
  assert.equal(second.started, true);
  assert.notEqual(second.pid, first.pid);
  assert.equal(second.url, first.url, 'an open dashboard finds it where it was');
  assert.deepEqual(second.tokens, first.tokens);
  assert.equal(await answers(second), 200);
  assert.equal(readState(o.stateDir)!.port, Number(new URL(first.url).port));
});

test('a hub whose last port another program took listens on a free one, which the next start takes again', TIMEOUT, async () => {
  const o = options();
  const first = await ensure(o);
  process.kill(first.pid, 'SIGKILL');
  await waitGone(first.pid);
  const squatter = net.createServer((socket) => socket.end('squatter\n'));
  await new Promise<void>((resolve, reject) => {
    squatter.once('error', reject);
    squatter.listen(Number(new URL(first.url).port), '127.0.0.1', resolve);
  });
  const second = await ensure(o);
  assert.equal(second.started, true);
  assert.notEqual(second.url, first.url);
  assert.equal(await answers(second), 200);
  assert.deepEqual(second.tokens, first.tokens);
  // The other program is left alone.
  const heard = await new Promise<string>((resolve, reject) => {
    const client = net.connect(Number(new URL(first.url).port), '127.0.0.1');
    let text = '';
    client.on('data', (d: Buffer) => (text += d.toString()));
    client.once('end', () => resolve(text));
    client.once('error', reject);
  });
  assert.equal(heard, 'squatter\n');
  await new Promise((resolve) => squatter.close(resolve));

  process.kill(second.pid, 'SIGKILL');
  await waitGone(second.pid);
  const third = await ensure(o);
  assert.equal(third.url, second.url, 'the port it moved to is the one kept');
  assert.equal(await answers(third), 200);
});

test('a hub of another version is stopped and replaced', TIMEOUT, async () => {
  const o = options('1.0.0');
  const old = await ensure(o);
  const next = await ensure({ ...o, version: '1.1.0' });
  assert.equal(next.started, true);
  assert.notEqual(next.pid, old.pid);
  await waitGone(old.pid);
  assert.equal(readState(o.stateDir)!.version, '1.1.0');
  // Same token file: the tokens survive the replacement; the new hub takes the old one's port.
  assert.deepEqual(next.tokens, old.tokens);
  assert.equal(next.url, old.url);
  const res = await fetch(`${next.url}/api/jobs`, { headers: { authorization: `Bearer ${next.tokens.viewer}` } });
  assert.equal(res.status, 200);
});

test('a hub started with other flags (database, retention) is replaced; the same flags reuse it', TIMEOUT, async () => {
  const o = options();
  const old = await ensure(o);
  const next = await ensure({ ...o, hubArgs: ['--grace-seconds', '5'] });
  assert.equal(next.started, true);
  await waitGone(old.pid);
  assert.deepEqual(readState(o.stateDir)!.config, ['--database', o.database, '--grace-seconds', '5']);
  const again = await ensure({ ...o, hubArgs: ['--grace-seconds', '5'] });
  assert.equal(again.started, false);
  assert.equal(again.pid, next.pid);
});

test('concurrent calls start exactly one hub', TIMEOUT, async () => {
  const o = options();
  const all = await Promise.all(Array.from({ length: 4 }, () => ensure(o)));
  assert.equal(new Set(all.map((h) => h.pid)).size, 1);
  assert.equal(all.filter((h) => h.started).length, 1);
  assert.equal(new Set(all.map((h) => h.url)).size, 1);
});

test('concurrent calls from separate processes start exactly one hub', TIMEOUT, async () => {
  const o = options();
  const { env: _env, ...json } = o;
  const run = (): Promise<HubConnection> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'ensureHubMain.ts'), JSON.stringify(json)], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        if (code !== 0) return reject(new Error(`ensureHub process exited ${code}: ${err}`));
        const hub = JSON.parse(out) as HubConnection;
        pids.add(hub.pid);
        resolve(hub);
      });
    });
  const all = await Promise.all([run(), run(), run()]);
  assert.equal(new Set(all.map((h) => h.pid)).size, 1);
  assert.equal(all.filter((h) => h.started).length, 1);
  // The hub outlives the process that started it.
  assert.ok(pidAlive(all[0].pid));
});
