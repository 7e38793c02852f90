// The reporter hands the hub the latest catalog: when connected, again after every reconnect, and
// never from a spool file.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, test } from 'node:test';
import { Server } from 'socket.io';
import { HubReporter } from '../../../src/core/hub/hubReporter';
import type { CatalogSnapshot } from '../../../src/shared/catalog';
import { OPERATOR, startTestHub, tempDir, until, type TestHub } from '../server/helpers';

const TIMEOUT = { timeout: 120_000 };
const cleanups: (() => void | Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

function reporter(url: string, more: Partial<ConstructorParameters<typeof HubReporter>[0]> = {}): { reporter: HubReporter; spoolDir: string } {
  const temp = tempDir();
  cleanups.push(temp.remove);
  const spoolDir = path.join(temp.dir, 'spool');
  const r = new HubReporter({ url, token: OPERATOR, reporterId: 'window-catalog', spoolDir, ackTimeoutMs: 5000, ...more });
  cleanups.push(() => r.close(100));
  return { reporter: r, spoolDir };
}

const snapshot = (alias: string): CatalogSnapshot => ({
  projects: [{ alias, dir: `/src/${alias}`, targets: [{ name: 'build', description: 'Compile' }] }],
  vms: [{ environment: 'prod', name: `${alias}-1`, host: '10.0.0.5', user: 'deploy' }],
});

const aliases = async (t: TestHub): Promise<string> => (await t.store.listProjects()).map((p) => p.alias).join();

test('the latest catalog reaches the hub, and reaches a new hub after a reconnect without being reported again', TIMEOUT, async () => {
  const first = await startTestHub();
  let firstOpen = true;
  cleanups.push(() => (firstOpen ? first.close() : undefined));
  const { reporter: r, spoolDir } = reporter(first.hub.url);
  // Reported before the connection is up: sent once it is.
  r.catalog(snapshot('web'));
  await until(async () => (await aliases(first)) === 'web', 10_000, 'the first catalog stored');
  assert.deepEqual(await first.store.listTargets('web'), [{ name: 'build', description: 'Compile' }]);
  r.catalog(snapshot('api'));
  r.catalog(snapshot('ops'));
  await until(async () => (await aliases(first)) === 'ops', 10_000, 'the latest catalog stored');
  assert.deepEqual((await first.store.listVms()).map((vm) => vm.name), ['ops-1']);

  // The hub goes away; a new one, with an empty store, comes up on the same port.
  const port = first.hub.port;
  firstOpen = false;
  await first.close();
  await until(() => !r.connected, 10_000, 'the reporter to notice');
  const second = await startTestHub({ port });
  cleanups.push(() => second.close());
  await until(async () => (await aliases(second)) === 'ops', 20_000, 'the catalog sent again after the reconnect');
  assert.deepEqual(readdirSync(spoolDir).filter((name) => name.endsWith('.jsonl')), [], 'nothing spooled');
});

test('only the latest snapshot is kept: one reported while another is in flight replaces those queued behind it', TIMEOUT, async () => {
  const server = http.createServer();
  const io = new Server(server);
  const received: string[] = [];
  let release: (() => void) | undefined;
  io.of('/jobs').on('connection', (socket) => {
    socket.on('report:catalog', (s: CatalogSnapshot, ack: (a: unknown) => void) => {
      received.push(s.projects[0].alias);
      // The first answer waits until the test lets it go.
      if (received.length === 1) release = () => ack({ ok: true });
      else ack({ ok: true });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => io.close(() => resolve())));
  const { reporter: r } = reporter(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  await until(() => r.connected, 10_000, 'the reporter to connect');
  r.catalog(snapshot('a'));
  await until(() => release !== undefined, 10_000, 'the first catalog to arrive');
  r.catalog(snapshot('b'));
  r.catalog(snapshot('c'));
  release!();
  await until(() => received.length >= 2, 10_000, 'the next catalog');
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.deepEqual(received, ['a', 'c']);
});
