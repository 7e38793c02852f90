import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HubJob } from '../../../src/shared/hubProtocol';
import { argsText, commandText, durationText, exitText, formatRelative, jobLabel, kindText, nestChildren, placeOf, problemsText } from '../../../webview/lib/history/jobText';
import { appendPage, endJob, LiveRows, newerFirst, upsertJob } from '../../../webview/lib/history/liveRows';
import { filtersToQuery, matchesQuery, NO_FILTERS } from '../../../webview/lib/history/query';
import type { JobEnded } from '../../../webview/lib/history/source';

const T0 = 1_700_000_000_000;

function job(n: number, more: Partial<HubJob> = {}): HubJob {
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    kind: 'target',
    mode: 'console',
    title: `web build${n}`,
    argv: ['make', '-C', '/src/web', `build${n}`],
    command: `make -C /src/web build${n}`,
    alias: 'web',
    target: `build${n}`,
    hostname: 'laptop',
    startedAt: T0 + n * 1000,
    status: 'success',
    exitCode: 0,
    durationMs: 1500,
    ...more,
  };
}

const ids = (rows: readonly HubJob[]): number[] => rows.map((j) => Number(j.id.slice(-12)));

test('filters become a query: blanks left out, text trimmed, the to-day included whole in local time', () => {
  assert.deepEqual(filtersToQuery(NO_FILTERS), {});
  assert.deepEqual(filtersToQuery({ ...NO_FILTERS, status: 'failed', kind: 'ssh-logs', alias: ' web ', vm: 'prod/db1', text: '  deploy ' }, 100), {
    status: 'failed',
    kind: 'ssh-logs',
    alias: 'web',
    vm: 'prod/db1',
    text: 'deploy',
    limit: 100,
  });
  const q = filtersToQuery({ ...NO_FILTERS, from: '2024-02-28', to: '2024-02-29' });
  assert.equal(q.from, new Date(2024, 1, 28).getTime());
  assert.equal(q.to, new Date(2024, 2, 1).getTime());
  // A half-typed date is no filter rather than a wrong one.
  assert.deepEqual(filtersToQuery({ ...NO_FILTERS, from: '2024-02', to: 'x' }), {});
});

test('a live job matches a query as the store would list it', () => {
  const j = job(5, { status: 'failed', command: "make -C /src/web 'Deploy All'", vm: undefined });
  assert.equal(matchesQuery(j, {}), true);
  assert.equal(matchesQuery(j, { status: ['failed', 'canceled'] }), true);
  assert.equal(matchesQuery(j, { status: 'success' }), false);
  assert.equal(matchesQuery(j, { kind: 'terminal' }), false);
  // A target run in a terminal is listed under both, as the store lists it.
  const inTerminal = { ...j, mode: 'terminal' as const };
  assert.equal(matchesQuery(inTerminal, { kind: 'terminal' }), true);
  assert.equal(matchesQuery(inTerminal, { kind: 'target' }), true);
  assert.equal(matchesQuery({ ...inTerminal, kind: 'terminal' }, { kind: 'target' }), false);
  assert.equal(matchesQuery(j, { alias: 'web' }), true);
  assert.equal(matchesQuery(j, { alias: 'we' }), false);
  assert.equal(matchesQuery(j, { vm: 'prod/db1' }), false);
  assert.equal(matchesQuery(j, { text: 'deploy all' }), true);
  assert.equal(matchesQuery(j, { from: j.startedAt, to: j.startedAt + 1 }), true);
  assert.equal(matchesQuery(j, { to: j.startedAt }), false);
});

test('rows keep the store order; a page adds only jobs not already there', () => {
  const rows = appendPage([job(9), job(8)], [job(8), job(7)]);
  assert.deepEqual(ids(rows), [9, 8, 7]);
  const same = [job(3), job(3, { id: job(4).id })];
  assert.ok(newerFirst(same[1]!, same[0]!) < 0, 'the larger id first at the same start time');
});

test('upsert puts a job in its place, replaces it, or takes it out when it no longer matches', () => {
  const rows = [job(9), job(7), job(5)];
  assert.deepEqual(ids(upsertJob(rows, job(8), {}, false)), [9, 8, 7, 5]);
  assert.deepEqual(ids(upsertJob(rows, job(10), {}, false)), [10, 9, 7, 5]);
  // Older than every row while pages follow: the next page brings it.
  assert.deepEqual(ids(upsertJob(rows, job(2), {}, false)), [9, 7, 5]);
  assert.deepEqual(ids(upsertJob(rows, job(2), {}, true)), [9, 7, 5, 2]);
  const failed = upsertJob(rows, job(7, { status: 'failed' }), {}, false);
  assert.equal(failed[1]!.status, 'failed');
  assert.deepEqual(ids(upsertJob(rows, job(7, { status: 'failed' }), { status: 'success' }, false)), [9, 5]);
  assert.equal(upsertJob(rows, job(6, { alias: 'api' }), { alias: 'web' }, true), rows);
});

/** How a job ended, as `job:done` says it. */
const endOf = (j: HubJob, status: JobEnded['status'], exitCode: number | null, durationMs: number): JobEnded => ({ id: j.id, status, exitCode, signal: null, durationMs, finishedAt: j.startedAt + durationMs });

test('an ended job gets its status, exit code, signal, duration and end time as the end says them', () => {
  const running = job(1, { status: 'running', exitCode: undefined, durationMs: undefined });
  const ended = endJob(running, { ...endOf(running, 'canceled', null, 4200), signal: 'SIGTERM' });
  assert.deepEqual([ended.status, ended.exitCode, ended.signal, ended.durationMs, ended.finishedAt], ['canceled', null, 'SIGTERM', 4200, running.startedAt + 4200]);
});

test('live rows: a job heard before its first page is stored, and an end heard before a stale page, both show', () => {
  const model = new LiveRows({});
  const started = job(20, { status: 'running', exitCode: undefined, durationMs: undefined });
  model.change({ type: 'started', job: started });
  model.change({ type: 'ended', ended: endOf(job(19), 'failed', 1, 30_000) });
  // The page was read before the store had job 20 and while job 19 still ran.
  model.page([job(19, { status: 'running', exitCode: undefined, durationMs: undefined }), job(18)], true);
  assert.deepEqual(ids(model.rows), [20, 19, 18]);
  assert.equal(model.rows[0]!.status, 'running');
  assert.deepEqual([model.rows[1]!.status, model.rows[1]!.exitCode, model.rows[1]!.durationMs], ['failed', 1, 30_000]);
  model.change({ type: 'ended', ended: endOf(started, 'success', 0, 650) });
  assert.deepEqual([model.rows[0]!.status, model.rows[0]!.durationMs, model.rows[0]!.finishedAt], ['success', 650, started.startedAt + 650]);
  // A page read before the end was stored shows the job as it ended.
  model.reset({});
  model.page([started], true);
  assert.deepEqual([model.rows[0]!.status, model.rows[0]!.durationMs], ['success', 650]);
});

test('live rows: a job heard to start and end before the first page, which was read before it was stored, is shown', () => {
  // A window's spool sent at a hub's start: the job's start and end come before the first page.
  const model = new LiveRows({});
  const quick = job(50, { status: 'running', exitCode: undefined, durationMs: undefined });
  model.change({ type: 'started', job: quick });
  model.change({ type: 'ended', ended: endOf(quick, 'success', 0, 378) });
  model.page([job(52), job(51)], false);
  assert.deepEqual(ids(model.rows), [52, 51, 50]);
  assert.deepEqual([model.rows[2]!.status, model.rows[2]!.durationMs], ['success', 378]);
  // A page that has it stored shows it once.
  model.reset({});
  model.page([job(52), job(51), job(50, { durationMs: 378 })], false);
  assert.deepEqual(ids(model.rows), [52, 51, 50]);
});

test('live rows: a deleted job heard live is not brought back by a later page', () => {
  const model = new LiveRows({});
  const quick = job(60, { status: 'running', exitCode: undefined, durationMs: undefined });
  model.change({ type: 'started', job: quick });
  model.change({ type: 'ended', ended: endOf(quick, 'success', 0, 10) });
  model.page([job(59)], false);
  assert.deepEqual(ids(model.rows), [60, 59]);
  model.remove(quick.id);
  model.reset({});
  model.page([job(59)], false);
  assert.deepEqual(ids(model.rows), [59]);
});

test('live rows: a page that has a job ended wins over its start heard live, whose end was missed', () => {
  const model = new LiveRows({});
  const running = job(40, { status: 'running', exitCode: undefined, durationMs: undefined });
  model.change({ type: 'started', job: running });
  model.page([job(40, { status: 'failed', exitCode: 2 })], true);
  assert.deepEqual([model.rows.length, model.rows[0]!.status, model.rows[0]!.exitCode], [1, 'failed', 2]);
  // A later page does not bring the start back.
  model.reset({});
  model.page([job(40, { status: 'failed', exitCode: 2 })], true);
  assert.equal(model.rows[0]!.status, 'failed');
});

test('live rows under a status filter: a running job leaves "running" and joins "failed" as it ends', () => {
  const running = job(30, { status: 'running', exitCode: undefined, durationMs: undefined });
  const onlyRunning = new LiveRows({ status: 'running' });
  onlyRunning.page([running], false);
  const onlyFailed = new LiveRows({ status: 'failed' });
  onlyFailed.page([job(29, { status: 'failed', exitCode: 2 })], false);
  onlyFailed.change({ type: 'started', job: running });
  assert.deepEqual(ids(onlyFailed.rows), [29]);
  const end = { type: 'ended' as const, ended: endOf(running, 'failed', 3, 10) };
  onlyRunning.change(end);
  onlyFailed.change(end);
  assert.deepEqual(ids(onlyRunning.rows), []);
  assert.deepEqual(ids(onlyFailed.rows), [30, 29]);
  // A reset for another query starts empty.
  onlyFailed.reset({});
  assert.deepEqual(onlyFailed.rows, []);
});

test('job text: relative start, duration, exit, place and one sentence for screen readers', () => {
  const now = T0 + 100_000_000;
  assert.equal(formatRelative(now - 2000, now), 'just now');
  assert.equal(formatRelative(now - 42_000, now), '42 s ago');
  assert.equal(formatRelative(now - 5 * 60_000, now), '5 min ago');
  assert.equal(formatRelative(now - 3 * 3_600_000, now), '3 h ago');
  assert.equal(formatRelative(now - 2 * 86_400_000, now), '2 d ago');
  assert.equal(formatRelative(now - 30 * 86_400_000, now), new Date(now - 30 * 86_400_000).toLocaleDateString());
  const running = job(1, { status: 'running', startedAt: now - 65_000, exitCode: undefined, durationMs: undefined });
  assert.equal(durationText(running, now), '1 min 05 s');
  assert.equal(exitText(running), '');
  assert.equal(durationText(job(1, { durationMs: undefined, finishedAt: T0 + 1000 + 850 }), now), '850 ms');
  assert.equal(exitText(job(1, { status: 'canceled', exitCode: null, signal: 'SIGTERM' })), 'SIGTERM');
  assert.equal(exitText(job(1, { status: 'failed', exitCode: 2 })), '2');
  assert.equal(placeOf(job(1, { alias: undefined, vm: 'prod/db1' })), 'prod/db1');
  // A target run for a VM: both where it ran from and which VM it was for.
  const onVm = job(1, { title: 'web deploy on db1', vm: 'prod/db1' });
  assert.equal(placeOf(onVm), 'web · prod/db1');
  assert.equal(kindText(onVm), 'Target on VM');
  assert.equal(kindText(job(1, { mode: 'terminal', vm: undefined })), 'Target in terminal');
  assert.equal(kindText(job(1, { vm: undefined })), 'Target');
  assert.match(jobLabel(onVm, now), /^Succeeded, target on vm, web deploy on db1, in web · prod\/db1,/);
  assert.equal(
    jobLabel(job(1, { status: 'failed', exitCode: 2, startedAt: now - 42_000 }), now),
    'Failed, target, web build1, started 42 s ago, took 1.5 s, exit code 2, on laptop',
  );
  // The stored arguments are said too: a rerun passes them, whatever the command shows.
  const hostile = job(1, { args: ['ENV=prod', '--eval=$(shell id)'] });
  assert.equal(argsText(hostile), "ENV=prod '--eval=$(shell id)'");
  assert.match(jobLabel(hostile, now), /, arguments ENV=prod '--eval=\$\(shell id\)'$/);
  assert.equal(argsText(job(1, { args: [] })), '');
  // The command is written from the argv, not taken from what the store says it is.
  assert.equal(commandText(job(1, { argv: ['make', 'build', 'V=1\u202e'], command: 'make build V=1\u202e' })), "make build $'V=1\\u202E'");
  assert.equal(placeOf(job(1, { vm: 'prod/db\u202e1' })), 'web · prod/db\\u{202e}1');
});

test('the jobs of a group are listed right under it, as they started, then by VM; a job whose parent is not listed keeps its place', () => {
  const parent = job(1, { kind: 'environment', title: 'web deploy on lab (3 VMs)', startedAt: T0 });
  const a = job(2, { parentId: parent.id, vm: 'lab/a', startedAt: T0 + 10 });
  const b = job(3, { parentId: parent.id, vm: 'lab/b', startedAt: T0 + 5 });
  const c = job(6, { parentId: parent.id, vm: 'lab/c', startedAt: T0 + 5 });
  const orphan = job(4, { parentId: '00000000-0000-4000-8000-000000000099', startedAt: T0 + 20 });
  const later = job(5, { startedAt: T0 + 30 });
  const { rows, nested } = nestChildren([later, orphan, a, c, b, parent]);
  assert.deepEqual(rows.map((j) => j.id), [later.id, orphan.id, parent.id, b.id, c.id, a.id]);
  assert.deepEqual([...nested].sort(), [a.id, b.id, c.id].sort());
});

test('the problems found in a job are told in its row and its label', () => {
  const now = T0 + 60_000;
  assert.equal(problemsText(job(1)), '');
  assert.equal(problemsText(job(1, { errors: 0, warnings: 0 })), '');
  assert.equal(problemsText(job(1, { errors: 2, warnings: 1 })), '2 errors, 1 warning');
  assert.match(jobLabel(job(1, { status: 'failed', exitCode: 2, errors: 1, warnings: 0 }), now), /exit code 2, 1 error, 0 warnings, on laptop/);
});
