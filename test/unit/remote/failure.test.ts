import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifySshFailure, TRANSIENT_SSH_FAILURES } from '../../../src/core/ssh/remoteFailure';

// What OpenSSH 9.2 prints (LogLevel=ERROR, -tt: lines end in CRLF), copied from real runs; the
// sshd tests produce the host key and permission cases for real.

const CHANGED = [
  '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
  '@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @',
  '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
  'IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!',
  'Someone could be eavesdropping on you right now (man-in-the-middle attack)!',
  'It is also possible that a host key has just been changed.',
  'The fingerprint for the ED25519 key sent by the remote host is',
  'SHA256:t9pjQcaz77DjFtAjbwBH6Y+ETOBE/u4F4SYLqYAoPPU.',
  'Please contact your system administrator.',
  'Add correct host key in /home/me/.ssh/known_hosts to get rid of this message.',
  'Offending ED25519 key in /home/me/.ssh/known_hosts:7',
  '  remove with:',
  '  ssh-keygen -f "/home/me/.ssh/known_hosts" -R "[10.0.0.5]:2222"',
  'Host key for [10.0.0.5]:2222 has changed and you have requested strict checking.',
  'Host key verification failed.',
  '',
].join('\r\n');

test('a changed host key keeps OpenSSH warning, the host and the offending line', () => {
  const failure = classifySshFailure(CHANGED, 'deploy@web');
  assert.equal(failure?.kind, 'changed-host-key');
  if (failure?.kind !== 'changed-host-key') return;
  assert.equal(failure.host, '[10.0.0.5]:2222');
  assert.equal(failure.knownHostsFile, '/home/me/.ssh/known_hosts');
  assert.equal(failure.line, 7);
  assert.ok(failure.warning.startsWith('@@@@'));
  assert.match(failure.warning, /REMOTE HOST IDENTIFICATION HAS CHANGED!/);
  assert.match(failure.warning, /Host key for \[10\.0\.0\.5\]:2222 has changed/);
  assert.doesNotMatch(failure.warning, /\r|Host key verification failed/);
});

test('an unknown host key: BatchMode prints only "Host key verification failed."', () => {
  assert.deepEqual(classifySshFailure('Host key verification failed.\r\n', 'deploy@web'), {
    kind: 'unknown-host-key',
    host: 'deploy@web',
    message: 'The host key of deploy@web is not known yet: verify it in an SSH terminal and accept it.',
  });
  const strict = 'No ED25519 host key is known for web.example.com and you have requested strict checking.\r\nHost key verification failed.\r\n';
  assert.deepEqual(classifySshFailure(strict, 'web'), {
    kind: 'unknown-host-key',
    host: 'web.example.com',
    message: 'The host key of web.example.com is not known yet: verify it in an SSH terminal and accept it.',
  });
});

const cases: Array<[string, string, boolean]> = [
  ['deploy@127.0.0.1: Permission denied (publickey).', 'permission-denied', false],
  ['Received disconnect from 10.0.0.5 port 22:2: Too many authentication failures', 'permission-denied', false],
  ['ssh: connect to host 127.0.0.1 port 2: Connection refused', 'connection-refused', true],
  ['ssh: Could not resolve hostname nosuch.invalid: Name or service not known', 'name-resolution', true],
  ['ssh: Could not resolve hostname web: Temporary failure in name resolution', 'name-resolution', true],
  ['ssh: connect to host 10.255.255.1 port 22: Connection timed out', 'timeout', true],
  ['Connection timed out during banner exchange', 'timeout', true],
  ['Timeout, server web not responding.', 'timeout', true],
  ['ssh: connect to host 10.0.0.9 port 22: No route to host', 'unreachable', true],
  ['ssh: connect to host 10.0.0.9 port 22: Network is unreachable', 'unreachable', true],
  ['Connection closed by 127.0.0.1 port 2222', 'connection-lost', true],
  ['Connection to 127.0.0.1 closed by remote host.', 'connection-lost', true],
  ['client_loop: send disconnect: Broken pipe', 'connection-lost', true],
  ['kex_exchange_identification: read: Connection reset by peer', 'connection-lost', true],
  ['/home/me/.ssh/config: line 3: Bad configuration option: foo', 'other', false],
];
for (const [stderr, kind, transient] of cases) {
  test(`${kind}: ${stderr}`, () => {
    const failure = classifySshFailure(`${stderr}\r\n`, 'web');
    assert.deepEqual(failure, { kind, message: stderr });
    assert.equal(TRANSIENT_SSH_FAILURES.has(failure!.kind), transient);
  });
}

test('nothing on stderr: not a failure of ssh (the remote command itself exited 255)', () => {
  assert.equal(classifySshFailure('', 'web'), undefined);
});
