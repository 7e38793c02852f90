import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CATALOG_LIMITS, isCancelRequest, isCatalogSnapshot, isJobInfo, isJobListRequest, isJoinJobRequest, isReportChunks, isReportFinished } from '../../../src/shared/hubProtocol';

const job = { id: 'a', kind: 'target', mode: 'console', title: 't', argv: ['make'], hostname: 'h', startedAt: 1, status: 'running' };

test('join-job: a bare id (the seed) or { jobId, fromSeq }', () => {
  assert.ok(isJoinJobRequest('a'));
  assert.ok(isJoinJobRequest({ jobId: 'a', fromSeq: 0 }));
  for (const bad of [undefined, '', 5, { jobId: 'a', fromSeq: -1 }, { jobId: 'a', fromSeq: 1.5 }, { fromSeq: 0 }, ['a']]) assert.ok(!isJoinJobRequest(bad), JSON.stringify(bad));
  assert.ok(isCancelRequest('a') && isCancelRequest({ jobId: 'a' }) && !isCancelRequest({}));
});

test('jobs:list filters', () => {
  assert.ok(isJobListRequest({}));
  assert.ok(isJobListRequest({ status: ['running', 'failed'], kind: 'target', limit: 10, from: 0 }));
  for (const bad of [null, { status: 'bogus' }, { kind: 'x' }, { limit: 0 }, { limit: 501 }, { from: 'yesterday' }]) assert.ok(!isJobListRequest(bad), JSON.stringify(bad));
});

test('reports: JobInfo, chunks and results are checked field by field', () => {
  assert.ok(isJobInfo(job));
  assert.ok(!isJobInfo({ ...job, argv: 'make' }));
  assert.ok(!isJobInfo({ ...job, status: 'odd' }));
  assert.ok(isReportChunks({ jobId: 'a', chunks: [{ seq: 0, ts: 1, stream: 'stdout', text: 'x' }] }));
  assert.ok(!isReportChunks({ jobId: 'a', chunks: [{ seq: 0, ts: 1, stream: 'tty', text: 'x' }] }));
  assert.ok(!isReportChunks({ jobId: 'a', chunks: {} }));
  const result = { status: 'success', exitCode: 0, signal: null, durationMs: 5, finishedAt: 6 };
  assert.ok(isReportFinished({ jobId: 'a', result }));
  assert.ok(!isReportFinished({ jobId: 'a', result: { ...result, status: 'running' } }));
  assert.ok(!isReportFinished({ jobId: 'a', result: { ...result, exitCode: 'x' } }));
});

test('report:catalog: projects with optional targets and VMs, every string and list bounded', () => {
  const project = { alias: 'web', dir: '/src/web', version: '1.0', targets: [{ name: 'build', description: 'Compile' }, { name: 'test' }] };
  const vm = { environment: 'prod', name: 'app1', host: '10.0.0.5', user: 'deploy', sshDestination: 'deploy@10.0.0.5' };
  assert.ok(isCatalogSnapshot({ projects: [project, { alias: 'api', dir: '/src/api' }], vms: [vm] }));
  assert.ok(isCatalogSnapshot({ projects: [], vms: [] }));
  const long = 'x'.repeat(CATALOG_LIMITS.textLength + 1);
  const many = <T>(n: number, item: T): T[] => Array.from({ length: n }, () => item);
  for (const bad of [
    null,
    { projects: [] },
    { projects: {}, vms: [] },
    { projects: [{ ...project, alias: '' }], vms: [] },
    { projects: [{ ...project, dir: 5 }], vms: [] },
    { projects: [{ ...project, targets: [{ name: '' }] }], vms: [] },
    { projects: [{ ...project, targets: [{ name: 'a', description: long }] }], vms: [] },
    { projects: [{ ...project, targets: many(CATALOG_LIMITS.targetsPerProject + 1, { name: 'a' }) }], vms: [] },
    { projects: many(CATALOG_LIMITS.projects + 1, project), vms: [] },
    { projects: [], vms: many(CATALOG_LIMITS.vms + 1, vm) },
    { projects: [], vms: [{ ...vm, user: undefined }] },
    { projects: [], vms: [{ ...vm, host: long }] },
  ]) {
    assert.ok(!isCatalogSnapshot(bad), JSON.stringify(bad)?.slice(0, 200));
  }
});
