import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runRemote } from '../../../src/core/ssh/remoteJob';
import { sshdSkip, startSshd, type Sshd } from '../../harness/sshd';

// First contact, a known key and a changed key against a real sshd, with a real known_hosts
// file; and the other ways ssh fails before the command runs.

const TIMEOUT = { timeout: 30_000 };

describe('host keys and connection failures against a real sshd', { skip: sshdSkip }, () => {
  let sshd: Sshd;
  before(async () => {
    sshd = await startSshd({ shells: ['/usr/bin/dash'] });
  });
  after(() => sshd?.stop());
  const run = (options: { acceptNewHostKey?: boolean; destination?: string; configFile?: string } = {}) =>
    runRemote(options.destination ?? sshd.alias, ['echo', 'connected'], { configFile: options.configFile ?? sshd.configFile, timeoutMs: 20_000, ...options });

  test('a known host key: the command runs', TIMEOUT, async () => {
    sshd.writeKnownHosts('known');
    const { result, output } = await run();
    assert.equal(result.status, 'success');
    assert.equal(output, 'connected\n');
  });

  test('an unknown host key: unknown-host-key for the destination, nothing runs, nothing recorded', TIMEOUT, async () => {
    sshd.writeKnownHosts('unknown');
    const { result, output } = await run();
    assert.equal(result.exitCode, 255);
    assert.deepEqual(result.sshFailure, {
      kind: 'unknown-host-key',
      host: sshd.alias,
      message: `The host key of ${sshd.alias} is not known yet: verify it in an SSH terminal and accept it.`,
    });
    assert.equal(output, '');
    assert.equal(readFileSync(sshd.knownHostsFile, 'utf8'), '');
  });

  test('a changed host key: changed-host-key with OpenSSH warning and the offending line', TIMEOUT, async () => {
    sshd.writeKnownHosts('changed');
    const before = readFileSync(sshd.knownHostsFile, 'utf8');
    const { result, output } = await run();
    assert.equal(result.exitCode, 255);
    const failure = result.sshFailure;
    assert.equal(failure?.kind, 'changed-host-key', JSON.stringify(failure));
    if (failure?.kind !== 'changed-host-key') return;
    assert.equal(failure.host, `[127.0.0.1]:${sshd.port}`);
    assert.equal(failure.knownHostsFile, sshd.knownHostsFile);
    assert.equal(failure.line, 1);
    assert.match(failure.warning, /WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!/);
    assert.match(failure.warning, /Offending ED25519 key in/);
    assert.equal(output, '');
    assert.equal(readFileSync(sshd.knownHostsFile, 'utf8'), before);
  });

  test('accept-new records a first key and runs the command', TIMEOUT, async () => {
    sshd.writeKnownHosts('unknown');
    const { result } = await run({ acceptNewHostKey: true });
    assert.equal(result.status, 'success');
    const recorded = readFileSync(sshd.knownHostsFile, 'utf8');
    sshd.writeKnownHosts('known');
    assert.equal(recorded, readFileSync(sshd.knownHostsFile, 'utf8'));
  });

  test('accept-new still refuses a changed key', TIMEOUT, async () => {
    sshd.writeKnownHosts('changed');
    const { result } = await run({ acceptNewHostKey: true });
    assert.equal(result.sshFailure?.kind, 'changed-host-key');
  });

  test('a user the server does not accept: permission-denied', TIMEOUT, async () => {
    sshd.writeKnownHosts('known');
    const { result } = await run({ destination: `nobody@${sshd.alias}` });
    assert.equal(result.exitCode, 255);
    assert.deepEqual(result.sshFailure, { kind: 'permission-denied', message: 'nobody@127.0.0.1: Permission denied (publickey).' });
  });

  test('a port nobody listens on: connection-refused', TIMEOUT, async () => {
    const port = await closedPort();
    // The first value ssh obtains wins: this Port comes before the included config's.
    const configFile = path.join(sshd.dir, 'refused_config');
    writeFileSync(configFile, `Host *\n  Port ${port}\nInclude ${sshd.configFile}\n`);
    const { result } = await run({ configFile });
    assert.deepEqual(result.sshFailure, { kind: 'connection-refused', message: `ssh: connect to host 127.0.0.1 port ${port}: Connection refused` });
  });

  test('a name that does not resolve: name-resolution', TIMEOUT, async () => {
    const { result } = await run({ destination: 'no-such-host.invalid' });
    assert.equal(result.sshFailure?.kind, 'name-resolution', JSON.stringify(result.sshFailure));
  });
});

/** A loopback port that was free a moment ago and is closed now. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
