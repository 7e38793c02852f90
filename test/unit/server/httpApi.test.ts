import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { sqlOf } from '../store/helpers';
import { connect, get, lines, newJob, OPERATOR, startTestHub, VIEWER, type TestHub } from './helpers';

const TIMEOUT = { timeout: 120_000 };
let t: TestHub;
const web = newJob({ alias: 'web', vm: 'prod/web-1', startedAt: Date.parse('2026-01-02T10:00:00Z'), argv: ['make', 'deploy-web'] });
const api = newJob({ alias: 'api', kind: 'ssh-logs', startedAt: Date.parse('2026-01-03T10:00:00Z') });

before(async () => {
  t = await startTestHub();
  // The catalog as a window reports it.
  const window = await connect(t.hub.url, { token: OPERATOR });
  const answer = await window.timeout(10_000).emitWithAck('report:catalog', {
    projects: [
      { alias: 'web', dir: '/src/web', version: '1.2', targets: [{ name: 'build', description: 'Compile' }, { name: 'deploy-web' }] },
      { alias: 'api', dir: '/src/api' },
    ],
    vms: [{ environment: 'prod', name: 'web-1', host: '10.0.0.5', user: 'deploy', sshDestination: 'deploy@10.0.0.5' }],
  });
  window.close();
  assert.deepEqual(answer, { ok: true });
  await t.store.jobStarted(web);
  await t.store.appendChunks(web.id, lines(0, 20));
  await t.store.jobFinished(web.id, { status: 'success', exitCode: 0, signal: null, durationMs: 5, finishedAt: web.startedAt + 5 });
  await t.store.jobStarted(api);
}, TIMEOUT);
after(() => t.close());

/** A raw request, for headers fetch() will not let a test set (Host). */
function raw(pathName: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const { port } = new URL(t.hub.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: pathName, headers, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('/api/projects and /api/vms list the catalog a window reported', TIMEOUT, async () => {
  const projects = await get(t.hub.url, '/api/projects');
  assert.equal(projects.status, 200);
  const listed = projects.body.projects as { alias: string; lastSynced: number }[];
  assert.ok(listed.every((p) => Number.isFinite(p.lastSynced)), JSON.stringify(listed));
  assert.deepEqual(listed.map(({ lastSynced: _, ...p }) => p), [
    { alias: 'api', dir: '/src/api' },
    { alias: 'web', dir: '/src/web', version: '1.2' },
  ]);
  const vms = await get(t.hub.url, '/api/vms', { authorization: `Bearer ${OPERATOR}` });
  assert.equal(vms.status, 200);
  assert.deepEqual((vms.body.vms as Record<string, unknown>[]).map(({ lastSynced: _, ...vm }) => vm), [
    { environment: 'prod', name: 'web-1', host: '10.0.0.5', user: 'deploy', sshDestination: 'deploy@10.0.0.5' },
  ]);
});

test('/api/projects/:alias/targets: the stored targets in listed order, [] when none were listed, 404 for an unknown project', TIMEOUT, async () => {
  assert.deepEqual(await get(t.hub.url, '/api/projects/web/targets'), { status: 200, body: { targets: [{ name: 'build', description: 'Compile' }, { name: 'deploy-web' }] } });
  assert.deepEqual(await get(t.hub.url, '/api/projects/api/targets'), { status: 200, body: { targets: [] } });
  const unknown = await get(t.hub.url, '/api/projects/nope/targets');
  assert.deepEqual(unknown, { status: 404, body: { error: 'No project nope' } });
});

test('jobs are linked to the project and VM they name', TIMEOUT, async () => {
  const { rows } = await sqlOf(t.store).query<{ alias: string; host: string }>(
    'SELECT p.alias, v.host FROM jobs j JOIN projects p ON p.id = j.project_id JOIN vms v ON v.id = j.vm_id WHERE j.id = $1',
    [web.id],
  );
  assert.deepEqual(rows.map((r) => ({ ...r })), [{ alias: 'web', host: '10.0.0.5' }]);
});

test('/api/jobs filters and pages; /api/jobs/:id; /api/jobs/:id/events?fromSeq=', TIMEOUT, async () => {
  const ids = async (query: string): Promise<string[]> => {
    const res = await get(t.hub.url, `/api/jobs${query}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return (res.body.jobs as { id: string }[]).map((j) => j.id);
  };
  assert.deepEqual(await ids(''), [api.id, web.id]);
  assert.deepEqual(await ids('?status=success'), [web.id]);
  assert.deepEqual(await ids('?status=running,success'), [api.id, web.id]);
  assert.deepEqual(await ids('?kind=ssh-logs'), [api.id]);
  assert.deepEqual(await ids('?alias=web'), [web.id]);
  assert.deepEqual(await ids('?vm=prod%2Fweb-1'), [web.id]);
  assert.deepEqual(await ids('?text=deploy-web'), [web.id]);
  assert.deepEqual(await ids('?from=2026-01-03T00:00:00Z'), [api.id]);
  assert.deepEqual(await ids(`?to=${Date.parse('2026-01-03T00:00:00Z')}`), [web.id]);
  const first = await get(t.hub.url, '/api/jobs?limit=1');
  assert.deepEqual((first.body.jobs as { id: string }[]).map((j) => j.id), [api.id]);
  assert.deepEqual(await ids(`?limit=1&cursor=${encodeURIComponent(String(first.body.nextCursor))}`), [web.id]);

  const one = await get(t.hub.url, `/api/jobs/${web.id}`);
  assert.equal(one.status, 200);
  assert.equal((one.body.job as { status: string }).status, 'success');
  const events = await get(t.hub.url, `/api/jobs/${web.id}/events?fromSeq=5&limit=3`);
  assert.deepEqual(events.body, { chunks: lines(5, 3), nextSeq: 8 });
  const last = await get(t.hub.url, `/api/jobs/${web.id}/events?beforeSeq=end&limit=2`);
  assert.deepEqual(last.body, { chunks: lines(18, 2) });
  const before = await get(t.hub.url, `/api/jobs/${web.id}/events?beforeSeq=8&maxBytes=14`);
  assert.deepEqual(before.body, { chunks: lines(6, 2) });
});

test('HTTP errors are JSON with the right status', TIMEOUT, async () => {
  const cases: [string, Record<string, string> | undefined, number][] = [
    ['/api/jobs', {}, 401],
    ['/api/jobs', { authorization: 'Bearer wrong-token-wrong-token' }, 401],
    ['/api/jobs', { authorization: `Basic ${VIEWER}` }, 401],
    ['/api/jobs?limit=abc', undefined, 400],
    ['/api/jobs?limit=9999', undefined, 400],
    ['/api/jobs?status=bogus', undefined, 400],
    ['/api/jobs?from=yesterday', undefined, 400],
    ['/api/jobs?cursor=garbage', undefined, 400],
    ['/api/jobs/00000000-0000-4000-8000-000000000000', undefined, 404],
    ['/api/jobs/not-a-uuid', undefined, 404],
    [`/api/jobs/00000000-0000-4000-8000-000000000000/events`, undefined, 404],
    [`/api/jobs/${web.id}/events?fromSeq=-1`, undefined, 400],
    [`/api/jobs/${web.id}/events?beforeSeq=start`, undefined, 400],
    [`/api/jobs/${web.id}/events?beforeSeq=end&fromSeq=0`, undefined, 400],
    [`/api/jobs/${web.id}/events?maxBytes=0`, undefined, 400],
    ['/api/nothing', undefined, 404],
    ['/nothing', undefined, 404],
  ];
  for (const [pathName, headers, status] of cases) {
    const res = await get(t.hub.url, pathName, headers);
    assert.equal(res.status, status, `${pathName} ${JSON.stringify(headers)}: ${JSON.stringify(res.body)}`);
    assert.equal(typeof res.body.error, 'string');
  }
  const post = await fetch(`${t.hub.url}/api/jobs`, { method: 'POST', headers: { authorization: `Bearer ${VIEWER}` } });
  assert.equal(post.status, 405);
});

test('a foreign Host or Origin is refused with 403 before the token is looked at; the hub keeps serving', TIMEOUT, async () => {
  const auth = { authorization: `Bearer ${VIEWER}` };
  const port = new URL(t.hub.url).port;
  assert.equal((await raw('/api/jobs', { ...auth, host: `evil.example:${port}` })).status, 403);
  assert.equal((await raw('/api/jobs', { ...auth, host: `localhost:${port}`, origin: 'http://evil.example' })).status, 403);
  assert.equal((await raw('/api/jobs', { ...auth, host: `localhost:${port}`, origin: `http://localhost:${port}` })).status, 200);
  // Socket.io's own endpoint is guarded the same way.
  assert.equal((await raw('/socket.io/?EIO=4&transport=polling', { host: `evil.example:${port}` })).status, 403);
  assert.equal((await raw('/socket.io/?EIO=4&transport=polling', { host: `127.0.0.1:${port}`, origin: 'http://evil.example' })).status, 403);
  assert.equal((await get(t.hub.url, '/api/projects')).status, 200);
});
