import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { compileMasks, DEFAULT_MASKS, maskOutput } from '../../../src/core/compare/maskOutput';
import { previousRun, sameJob } from '../../../src/core/compare/previousRun';
import type { JobInfo } from '../../../src/shared/jobs';
import { ROOT } from '../../harness/paths';

const masks = (() => {
  const compiled = compileMasks(DEFAULT_MASKS);
  if ('error' in compiled) throw new Error(compiled.error);
  return compiled.masks;
})();

test('times, durations, ids and temporary paths are masked; the rest is kept as it is', () => {
  const run = [
    'Started at 2026-12-04T15:08:09.123Z on build-7',
    'date: Fri Dec  4 15:08:09 UTC 2026',
    '[15:08:09] compiling 12 files',
    'took 1.52s (user 0.8 s), total 3 minutes',
    'request 3f2b9c1e-8a4d-4c6b-9d1e-2f3a4b5c6d7e done, commit 9fceb02d0ae598e95dc970b74767f19372d61af8',
    'wrote /tmp/tmp.Xa81bQ/out.txt and /var/tmp/cache-1234: ok',
    'version 1.2.3, port 8080, 42 tests passed',
  ].join('\n');
  assert.equal(
    maskOutput(run, masks),
    [
      'Started at <time> on build-7',
      'date: <time>',
      '[<time>] compiling 12 files',
      'took <duration> (user <duration>), total <duration>',
      'request <uuid> done, commit <hex>',
      'wrote <tmp> and <tmp>: ok',
      'version 1.2.3, port 8080, 42 tests passed',
    ].join('\n'),
  );
});

test('a mask that is not a regular expression is named', () => {
  assert.deepEqual(compileMasks([{ pattern: 'a(', replacement: 'x' }]), { error: 'Mask 1: Invalid regular expression: /a(/g: Unterminated group' });
  assert.match((compileMasks([{ pattern: 1, replacement: 'x' } as never]) as { error: string }).error, /^Mask 1: needs "pattern" and "replacement"/);
});

test('the manifest offers the built-in masks as the setting\'s default', () => {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  assert.deepEqual(manifest.contributes.configuration.properties['vmOrchestrator.compare.masks'].default, DEFAULT_MASKS);
});

test('masking is idempotent and keeps the number of lines', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom('12:00:01', '2026-01-01 10:00', '/tmp/x y', 'abc1234def', '5 ms')), { maxLength: 8 }), (parts) => {
      const text = parts.join('\n');
      const once = maskOutput(text, masks);
      assert.equal(once.split('\n').length, text.split('\n').length);
      assert.equal(maskOutput(once, masks), once);
    }),
  );
});

const T0 = 1_700_000_000_000;
function run(n: number, more: Partial<JobInfo> = {}): JobInfo {
  return { id: `id-${n}`, kind: 'target', mode: 'console', title: 'web build', argv: ['make', 'build'], alias: 'web', target: 'build', hostname: 'h', startedAt: T0 + n * 1000, status: 'success', ...more };
}

test('the previous run is the last earlier one of the same target (and VM) that succeeded, else the last earlier one', () => {
  const job = run(10, { status: 'failed' });
  const candidates = [run(2), run(5), run(7, { status: 'failed' }), run(8, { target: 'test' }), run(9, { vm: 'lab/a' }), run(11), job];
  assert.equal(previousRun(job, candidates)?.id, 'id-5');
  assert.equal(previousRun(job, [run(7, { status: 'failed' }), run(3, { status: 'canceled' })])?.id, 'id-7');
  assert.equal(previousRun(job, [run(11)]), undefined);
  // Arguments differ between runs of a target; a command on a VM is the same job only with the same command.
  assert.ok(sameJob(job, run(1, { args: ['X=1'] })));
  const remote = run(1, { kind: 'remote-command', target: undefined, alias: undefined, vm: 'lab/a', argv: ['ssh', 'lab', 'uptime'] });
  assert.ok(sameJob(remote, { ...remote, id: 'other' }));
  assert.ok(!sameJob(remote, { ...remote, argv: ['ssh', 'lab', 'df'] }));
});
