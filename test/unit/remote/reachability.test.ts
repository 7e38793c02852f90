import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { checkReachable, reachabilityArgv, reachabilityLabel, ReachabilityChecker } from '../../../src/core/ssh/reachability';
import { sshdSkip, startSshd, type Sshd } from '../../harness/sshd';

// The VMs view's reachability check against a real sshd: up, re-keyed, unknown, stopped.

const TIMEOUT = { timeout: 60_000 };

test('the check runs ssh without a shell, in BatchMode with a connect timeout, and refuses a destination that is an option', () => {
  assert.deepEqual(reachabilityArgv('web-1', { configFile: '/c' }), ['ssh', '-F', '/c', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', '-o', 'LogLevel=ERROR', '--', 'web-1', 'true']);
  assert.throws(() => reachabilityArgv('-oProxyCommand=x'));
});

describe('reachability against a real sshd', { skip: sshdSkip }, () => {
  let sshd: Sshd;
  before(async () => {
    sshd = await startSshd({ shells: ['/usr/bin/dash'] });
  });
  after(() => sshd?.stop());

  test('up: reachable with the time the check took; re-keyed: changed host key; unknown: unknown host key, and nothing recorded', TIMEOUT, async () => {
    sshd.writeKnownHosts('known');
    const up = await checkReachable(sshd.alias, { configFile: sshd.configFile });
    assert.equal(up.state, 'reachable', JSON.stringify(up));
    assert.match(reachabilityLabel(up), /^reachable in \d+ ms$/);

    sshd.writeKnownHosts('changed');
    const changed = await checkReachable(sshd.alias, { configFile: sshd.configFile });
    assert.deepEqual([changed.state, reachabilityLabel(changed)], ['unreachable', 'changed host key']);

    sshd.writeKnownHosts('unknown');
    const unknown = await checkReachable(sshd.alias, { configFile: sshd.configFile });
    assert.deepEqual([unknown.state, reachabilityLabel(unknown)], ['unreachable', 'unknown host key']);
    assert.equal(readFileSync(sshd.knownHostsFile, 'utf8'), '', 'the check records no host key');
  });

  test('a few at a time: the same destination asked twice is checked once; on a port nobody listens on, it is refused', TIMEOUT, async () => {
    sshd.writeKnownHosts('known');
    const checker = new ReachabilityChecker(() => ({ configFile: sshd.configFile }), 2);
    const [a, b] = [checker.check(sshd.alias), checker.check(sshd.alias)];
    assert.equal(a, b);
    assert.equal((await a).state, 'reachable');
    assert.equal(checker.get(sshd.alias), await a);

    // The same VM on a port nobody listens on, as when its sshd is stopped.
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const stoppedConfig = path.join(sshd.dir, 'stopped_config');
    writeFileSync(stoppedConfig, `Host *\n  Port ${port}\nInclude ${sshd.configFile}\n`);
    const stoppedChecker = new ReachabilityChecker(() => ({ configFile: stoppedConfig }));
    const stopped = await stoppedChecker.check(sshd.alias);
    assert.deepEqual([stopped.state, reachabilityLabel(stopped)], ['unreachable', 'refused']);
    assert.equal(stoppedChecker.get(sshd.alias), stopped);
  });
});
