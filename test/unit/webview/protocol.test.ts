import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobInfo } from '../../../src/shared/jobs';
import {
  isConsoleToHostMessage,
  isHostToConsoleMessage,
  type ConsoleToHostMessage,
  type HostToConsoleMessage,
} from '../../../src/shared/protocol';

const job: JobInfo = {
  id: '6f1c2a4e-1111-4222-8333-944455556666',
  kind: 'target',
  mode: 'console',
  title: 'web build',
  argv: ['make', '-C', '/srv/web', 'build'],
  cwd: '/srv/web',
  alias: 'web',
  target: 'build',
  hostname: 'laptop',
  startedAt: 1_700_000_000_000,
  status: 'running',
};

const validHost: HostToConsoleMessage[] = [
  { type: 'console/init', job, options: { maxLines: 100_000, wrap: false, timestamps: true, follow: true }, canFetchOlder: true },
  { type: 'console/init', job: { ...job, status: 'failed', exitCode: 2, signal: null, finishedAt: 1, durationMs: 5 }, options: { maxLines: 1, wrap: true, timestamps: false, follow: false }, canFetchOlder: false },
  { type: 'console/append', jobId: job.id, chunks: [{ seq: 0, ts: 1, stream: 'stdout', text: 'a\n' }, { seq: 1, ts: 2, stream: 'system', text: '' }] },
  { type: 'console/append', jobId: job.id, chunks: [] },
  { type: 'console/status', jobId: job.id, status: 'success', exitCode: 0, durationMs: 1200, finishedAt: 1_700_000_001_200 },
  { type: 'console/status', jobId: job.id, status: 'canceled', exitCode: null, signal: 'SIGTERM' },
  { type: 'console/older', jobId: job.id, chunks: [{ seq: 3, ts: 1, stream: 'stderr', text: 'x' }], hasMore: false },
  { type: 'console/status', jobId: job.id, status: 'failed', exitCode: 2, errors: 3, warnings: 0 },
  { type: 'console/problems', jobId: job.id, errors: 1, warnings: 2, canOpen: true },
  { type: 'console/tail', jobId: job.id, chunks: [{ seq: 9, ts: 1, stream: 'stdout', text: 'newest\n' }] },
  { type: 'console/tail', jobId: job.id, chunks: [{ seq: 10, ts: 2, stream: 'stdout', text: 'newer\n' }], bytesPerSecond: 2_500_000 },
  { type: 'console/skip', jobId: job.id, chunks: [{ seq: 4096, ts: 3, stream: 'stdout', text: 'kept\n' }] },
];

const validWebview: ConsoleToHostMessage[] = [
  { type: 'ready', creditWindow: 1 << 20 },
  { type: 'console/credit', jobId: job.id, consumed: 123_456 },
  { type: 'console/paused', jobId: job.id, paused: true },
  { type: 'job/cancel', jobId: job.id },
  { type: 'job/rerun', jobId: job.id },
  { type: 'console/save', jobId: job.id, streams: ['stdout', 'stderr'], timestamps: true },
  { type: 'console/open-as-text', jobId: job.id, streams: [], timestamps: false },
  { type: 'console/open-link', jobId: job.id, target: { url: 'https://example.com' } },
  { type: 'console/open-link', jobId: job.id, target: { path: 'src/a.c', line: 3, column: 7 } },
  { type: 'console/open-link', jobId: job.id, target: { path: 'Makefile', line: 1 } },
  { type: 'console/fetch-older', jobId: job.id, beforeSeq: 10, maxChars: 262_144 },
  { type: 'console/resize', cols: 132, rows: 40 },
  { type: 'console/open-first-problem', jobId: job.id },
];

test('the guards accept every well-formed message', () => {
  for (const m of validHost) assert.ok(isHostToConsoleMessage(m), JSON.stringify(m));
  for (const m of validWebview) assert.ok(isConsoleToHostMessage(m), JSON.stringify(m));
});

test('each side accepts only its own direction', () => {
  for (const m of validHost) assert.equal(isConsoleToHostMessage(m), false, m.type);
  for (const m of validWebview) assert.equal(isHostToConsoleMessage(m), false, m.type);
});

/** Copies a message with one field changed (undefined removes it). */
function with_<T extends object>(m: T, path: string[], value: unknown): unknown {
  const copy = structuredClone(m) as Record<string, unknown>;
  let target = copy;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined) delete target[last];
  else target[last] = value;
  return copy;
}

test('the webview rejects malformed host messages', () => {
  const [init, , append, , status, , older] = validHost as [HostToConsoleMessage, ...HostToConsoleMessage[]];
  const bad: unknown[] = [
    null,
    'console/init',
    [],
    { type: 'console/unknown' },
    { ...append!, type: 'console/appendx' },
    { ...append!, type: 'console/tail', chunks: [] },
    { ...append!, type: 'console/tail', bytesPerSecond: -1 },
    { ...append!, type: 'console/tail', bytesPerSecond: Number.NaN },
    { ...append!, type: 'console/tail', chunks: [{ seq: 1, ts: 0, stream: 'stdout', text: 7 }] },
    with_(init, ['job'], undefined),
    with_(init, ['job', 'id'], ''),
    with_(init, ['job', 'argv'], 'make build'),
    with_(init, ['job', 'argv'], ['make', 3]),
    with_(init, ['job', 'status'], 'done'),
    with_(init, ['job', 'kind'], 'shell'),
    with_(init, ['job', 'startedAt'], Number.NaN),
    with_(init, ['job', 'exitCode'], 1.5),
    with_(init, ['job', 'cwd'], 'x'.repeat(20_000)),
    with_(init, ['options', 'maxLines'], 0),
    with_(init, ['options', 'maxLines'], 1e12),
    with_(init, ['options', 'wrap'], 'yes'),
    with_(init, ['canFetchOlder'], undefined),
    with_(append!, ['chunks'], 'text'),
    with_(append!, ['chunks'], [{ seq: -1, ts: 0, stream: 'stdout', text: '' }]),
    with_(append!, ['chunks'], [{ seq: 1.5, ts: 0, stream: 'stdout', text: '' }]),
    with_(append!, ['chunks'], [{ seq: 1, ts: 0, stream: 'stdin', text: '' }]),
    with_(append!, ['chunks'], [{ seq: 1, ts: 0, stream: 'stdout', text: 42 }]),
    with_(append!, ['chunks'], [{ seq: 1, ts: Infinity, stream: 'stdout', text: '' }]),
    with_(append!, ['chunks'], [null]),
    with_(append!, ['jobId'], 7),
    with_(status!, ['status'], 'ok'),
    with_(status!, ['exitCode'], '0'),
    with_(status!, ['errors'], -1),
    { type: 'console/problems', jobId: job.id, errors: 1, warnings: 0 },
    { type: 'console/problems', jobId: job.id, errors: 1.5, warnings: 0, canOpen: false },
    with_(older!, ['hasMore'], undefined),
    { type: 'console/skip', jobId: job.id, chunks: [] },
    { type: 'console/skip', jobId: job.id, chunks: [{ seq: -1, ts: 0, stream: 'stdout', text: '' }] },
    { type: 'console/skip', jobId: job.id },
  ];
  for (const m of bad) assert.equal(isHostToConsoleMessage(m), false, JSON.stringify(m)?.slice(0, 200));
});

test('the host can reject malformed webview messages', () => {
  const byType = Object.fromEntries(validWebview.map((m) => [m.type, m])) as Record<string, ConsoleToHostMessage>;
  const bad: unknown[] = [
    undefined,
    { type: 'ready' },
    with_(byType['ready']!, ['creditWindow'], 0),
    with_(byType['ready']!, ['creditWindow'], 1e12),
    with_(byType['console/resize']!, ['cols'], 0),
    with_(byType['console/resize']!, ['rows'], 1e9),
    with_(byType['console/resize']!, ['cols'], 80.5),
    with_(byType['console/credit']!, ['consumed'], -5),
    with_(byType['console/credit']!, ['consumed'], '5'),
    with_(byType['console/paused']!, ['paused'], 'yes'),
    with_(byType['console/paused']!, ['paused'], undefined),
    with_(byType['job/cancel']!, ['jobId'], ''),
    with_(byType['job/rerun']!, ['jobId'], { id: 'x' }),
    with_(byType['console/save']!, ['streams'], ['stdout', 'stdin']),
    with_(byType['console/save']!, ['streams'], ['stdout', 'stdout', 'stdout', 'stdout']),
    with_(byType['console/open-as-text']!, ['timestamps'], 1),
    with_(byType['console/open-link']!, ['target'], { url: '' }),
    with_(byType['console/open-link']!, ['target'], { url: 'https://a', path: '/etc/passwd', line: 1 }),
    with_(byType['console/open-link']!, ['target'], { path: 'a.c', line: 0 }),
    with_(byType['console/open-link']!, ['target'], { path: 'a.c', line: 1, column: -2 }),
    with_(byType['console/open-link']!, ['target'], { path: '', line: 1 }),
    with_(byType['console/open-link']!, ['target'], 'https://a'),
    with_(byType['console/fetch-older']!, ['beforeSeq'], 0),
    with_(byType['console/fetch-older']!, ['maxChars'], 0),
  ];
  for (const m of bad) assert.equal(isConsoleToHostMessage(m), false, JSON.stringify(m));
});
