import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertSshDestination } from '../../../src/core/ssh/destination';
import { sshRemoteArgv } from '../../../src/core/ssh/remoteCommand';
import { sshReapArgv } from '../../../src/core/ssh/remoteReap';
import { fillPlaceholders, placeholderNames } from '../../../src/core/logs/placeholders';
import { LOG_PRESETS } from '../../../src/core/logs/presets';
import { visibleText } from '../../../src/shared/format';

test('the ssh argv: options, then --, the destination and one command string', () => {
  assert.deepEqual(sshRemoteArgv('deploy@web-1', ['uptime']), [
    'ssh', '-tt', '-e', 'none', '-o', 'BatchMode=yes', '-o', 'ServerAliveInterval=15', '-o', 'ServerAliveCountMax=3', '-o', 'LogLevel=ERROR',
    '--', 'deploy@web-1', `sh -c 'exec uptime'`,
  ]);
});

test('with a tag, sh exports VMO_JOB_ID before the exec; a tag that is not a plain word is refused', () => {
  const tag = '0b9c5a36-5f3e-4a43-9d44-2c9f1e0a7b11';
  assert.equal(sshRemoteArgv('web-1', ['uptime'], {}, tag).at(-1), `sh -c 'VMO_JOB_ID=${tag}; export VMO_JOB_ID; exec uptime'`);
  for (const bad of ['', "x'; touch /tmp/x", '$(id)', 'a b', '-x', 'a\nb']) {
    assert.throws(() => sshRemoteArgv('web-1', ['uptime'], {}, bad), /^Error: Expected a job tag of letters, digits/);
    assert.throws(() => sshReapArgv('web-1', bad, 1000), /^Error: Expected a job tag of letters, digits/);
  }
});

test('the reap connection: no PTY, no input, a short connect timeout, the tag and grace as arguments', () => {
  const argv = sshReapArgv('deploy@web-1', 'job-1', 1250, { configFile: '/cfg', acceptNewHostKey: true });
  assert.deepEqual(argv.slice(0, 5), ['ssh', '-F', '/cfg', '-T', '-n']);
  assert.ok(argv.includes('ConnectTimeout=5') && argv.includes('BatchMode=yes') && argv.includes('StrictHostKeyChecking=accept-new'));
  assert.deepEqual(argv.slice(-3, -1), ['--', 'deploy@web-1']);
  assert.match(argv.at(-1)!, / vmo-reap job-1 13'$/);
  assert.throws(() => sshReapArgv('-oProxyCommand=x', 'job-1', 1000), /^Error: Expected an SSH destination/);
});

test('-F, another ssh program and accept-new only when asked for', () => {
  const argv = sshRemoteArgv('web-1', ['uptime'], { configFile: '/home/me/.ssh/other config', sshBinary: '/opt/ssh', acceptNewHostKey: true });
  assert.deepEqual(argv.slice(0, 3), ['/opt/ssh', '-F', '/home/me/.ssh/other config']);
  assert.deepEqual(argv.slice(-5), ['-o', 'StrictHostKeyChecking=accept-new', '--', 'web-1', `sh -c 'exec uptime'`]);
  assert.ok(!sshRemoteArgv('web-1', ['uptime']).some((word) => /StrictHostKeyChecking/.test(word)));
});

test('host key checking is never turned off', () => {
  for (const acceptNewHostKey of [undefined, false, true]) {
    const argv = sshRemoteArgv('web-1', ['uptime'], { acceptNewHostKey }).join(' ');
    assert.doesNotMatch(argv, /StrictHostKeyChecking=no|UserKnownHostsFile=\/dev\/null/i);
  }
});

const refused = [
  '', '-oProxyCommand=touch /tmp/x', '-l', 'web 1', 'web\n1', 'web\t1', 'web\x00', 'web\x7f', 'alice@-oProxyCommand=x', '@web', 'alice@',
  'web;touch x', 'web$(touch x)', 'web`touch x`', 'a|b', 'a&b', "a'b", 'a"b', 'a\\b', 'a<b', 'a>b', 'a(b)', 'a{b}', 'al;ce@web', '$(id)@web',
];
for (const destination of refused) {
  test(`destination ${JSON.stringify(destination)} is refused before anything runs`, () => {
    const refusal = (e: Error) => e.message.startsWith(`Expected an SSH destination (alias, host or user@host), got ${JSON.stringify(destination)}: `);
    assert.throws(() => assertSshDestination(destination), refusal);
    assert.throws(() => sshRemoteArgv(destination, ['uptime']), refusal);
  });
}

test('ordinary destinations pass', () => {
  for (const destination of ['web-1', 'deploy@10.0.0.5', 'deploy@web-1.example.com', 'ops.admin@db_2', 'user@host@jump', 'fe80::1%eth0', 'ssh://deploy@web:2222']) {
    assert.doesNotThrow(() => assertSshDestination(destination), destination);
  }
});

test('placeholders: filled as one argument each, bad values refused with an exact message', () => {
  const docker = LOG_PRESETS.find((p) => p.id === 'docker')!;
  assert.deepEqual(fillPlaceholders(docker.argv, { container: 'web; rm -rf /' }), ['docker', 'logs', '-f', '--tail', '200', 'web; rm -rf /']);
  assert.deepEqual(fillPlaceholders(['x', 'pre-${a}-${b}'], { a: '1', b: '2' }), ['x', 'pre-1-2']);
  assert.throws(() => fillPlaceholders(docker.argv, {}), { message: 'Expected a value for ${container}' });
  assert.throws(() => fillPlaceholders(['${constructor}'], {}), { message: 'Expected a value for ${constructor}' });
  for (const value of ['-h', '--help', '', 'a\nb', 'a\0b', 'api\u202e', 'we\u200bb', 'a\u00a0b']) {
    assert.throws(() => fillPlaceholders(docker.argv, { container: value }), {
      message: `Expected a value for \${container} that does not start with "-" and shows as it is (no control, format or look-alike space characters), got ${visibleText(JSON.stringify(value))}`,
    });
  }
});

test('placeholderNames: what a preset asks for', () => {
  assert.deepEqual(LOG_PRESETS.map((p) => placeholderNames(p.argv)), [['container'], [], []]);
  assert.deepEqual(placeholderNames(['${a}', 'x-${b}-${a}', '$c', '${}']), ['a', 'b']);
});
