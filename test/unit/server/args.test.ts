import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { defaultDataDir, parseArgs } from '../../../src/server/args';

const env = { XDG_DATA_HOME: '/data', HOME: '/home/u' };

test('defaults: PGlite in the data folder, loopback, any port, tokens beside it', () => {
  assert.deepEqual(parseArgs([], env), {
    database: '/data/vm-orchestrator/hub/pglite',
    dataDir: '/data/vm-orchestrator/hub',
    host: '127.0.0.1',
    port: 0,
    tokenFile: '/data/vm-orchestrator/hub/tokens',
    idleExitSeconds: undefined,
    graceSeconds: 30,
    retention: {},
    rateLimits: { socketEvents: 500, socketBytes: 64 * 1024 * 1024, httpRequests: 100 },
    webhooks: { urls: [], on: 'failed' },
    help: false,
  });
});

test('web hooks: --webhook is repeatable and takes http(s) URLs only; --webhook-on failed or all', () => {
  const args = parseArgs(['--webhook', 'https://hooks.example/x', '--webhook=http://127.0.0.1:9/y', '--webhook-on', 'all'], env);
  assert.deepEqual(args.webhooks, { urls: ['https://hooks.example/x', 'http://127.0.0.1:9/y'], on: 'all' });
  assert.throws(() => parseArgs(['--webhook', 'file:///etc/passwd'], env), /--webhook to be an http:\/\/ or https:\/\/ URL/);
  assert.throws(() => parseArgs(['--webhook', 'not a url'], env), /--webhook to be an http/);
  assert.throws(() => parseArgs(['--webhook-on', 'some'], env), /--webhook-on to be failed or all/);
});

test('rate limits: per connection events and MiB a second, HTTP requests per token; 0 turns one off', () => {
  assert.deepEqual(parseArgs(['--rate-events', '50', '--rate-mib=2', '--rate-http', '0'], env).rateLimits, { socketEvents: 50, socketBytes: 2 * 1024 * 1024, httpRequests: 0 });
  assert.throws(() => parseArgs(['--rate-events', '-1'], env), /--rate-events to be a whole number/);
});

test('a relative XDG_DATA_HOME is ignored, as the spec says', () => {
  assert.ok(defaultDataDir({ XDG_DATA_HOME: 'rel' }).endsWith(path.join('.local', 'share', 'vm-orchestrator', 'hub')));
});

test('flags, with a space or an equals sign; a postgres URL is kept as it is', () => {
  const args = parseArgs(['--database=postgres://u:p@db/jobs', '--host', '::1', '--port', '4100', '--token-file', 't', '--idle-exit-seconds', '60', '--help'], env);
  assert.equal(args.database, 'postgres://u:p@db/jobs');
  assert.equal(args.host, '::1');
  assert.equal(args.port, 4100);
  assert.equal(args.tokenFile, path.resolve('t'));
  assert.equal(args.idleExitSeconds, 60);
  assert.equal(args.help, true);
});

test('retention: days and jobs to keep; 0 keeps everything', () => {
  assert.deepEqual(parseArgs(['--retention-days', '30', '--retention-jobs=1000'], env).retention, { maxAgeDays: 30, maxJobs: 1000 });
  assert.deepEqual(parseArgs(['--retention-days', '7'], env).retention, { maxAgeDays: 7 });
  assert.deepEqual(parseArgs(['--retention-days', '0', '--retention-jobs', '0'], env).retention, {});
  assert.throws(() => parseArgs(['--retention-days', '-1'], env), /Expected --retention-days to be a whole number from 0 to 36500, got "-1"/);
  assert.throws(() => parseArgs(['--retention-jobs', '1.5'], env), /Expected --retention-jobs to be a whole number/);
});

test('--prefer-port: a port to try first, only beside the default --port 0', () => {
  assert.equal(parseArgs(['--prefer-port', '4100'], env).preferPort, 4100);
  assert.equal(parseArgs(['--port', '0', '--prefer-port=4100'], env).port, 0);
  assert.throws(() => parseArgs(['--port', '4000', '--prefer-port', '4100'], env), /^Error: Give --port or --prefer-port, not both$/);
  assert.throws(() => parseArgs(['--prefer-port', '65536'], env), /--prefer-port to be a whole number from 0 to 65535/);
});

test('bad input is refused with an exact message', () => {
  assert.throws(() => parseArgs(['--bogus'], env), /Unknown option "--bogus"/);
  assert.throws(() => parseArgs(['--port'], env), /Expected a value after --port/);
  assert.throws(() => parseArgs(['--port', '70000'], env), /--port to be a whole number from 0 to 65535, got "70000"/);
  assert.throws(() => parseArgs(['--idle-exit-seconds', '-1'], env), /--idle-exit-seconds/);
});
