import assert from 'node:assert/strict';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { effectiveOptions } from '../../../src/core/ssh/effectiveOptions';
import { loadSshConfig } from '../../../src/core/ssh/loadSshConfig';
import { resolveDestination, type VmAddress } from '../../../src/core/ssh/resolveDestination';
import { NO_SSH } from './systemSsh';

// resolveDestination must agree with the system ssh (`ssh -G -F <config>`) on user, host name
// and port. ssh resolves `~` and relative Include paths with the real home folder, so the
// Include case is written to a temporary folder with absolute paths.


async function assertAgrees(configFile: string, home: string, vms: VmAddress[]): Promise<void> {
  const { config, problems } = await loadSshConfig(configFile, { home });
  assert.deepEqual(problems.filter((p) => p.severity === 'error'), []);
  for (const vm of vms) {
    const ours = resolveDestination(vm, config);
    const theirs = await effectiveOptions(ours.destination, { configFile, timeoutMs: 10_000 });
    assert.ok(theirs, `ssh -G ${ours.destination} failed`);
    assert.deepEqual(
      { user: ours.user, hostname: ours.hostName, port: String(ours.port ?? 22) },
      { user: theirs.user, hostname: theirs.hostname, port: theirs.port },
      `${vm.name} → ${ours.destination}`,
    );
    if (ours.proxyJump !== undefined) assert.equal(theirs.proxyjump, ours.proxyJump);
    if (ours.identityFile !== undefined) assert.equal(theirs.identityfile, ours.identityFile);
  }
}

describe('resolveDestination agrees with ssh -G', { skip: NO_SSH }, () => {
  test('wildcards, negation, = syntax, quotes, Match', async () => {
    const dir = path.resolve(__dirname, '../../fixtures/ssh/wildcards');
    const spec = JSON.parse(readFileSync(path.join(dir, 'case.json'), 'utf8')) as { vms: VmAddress[] };
    await assertAgrees(path.join(dir, 'home/.ssh/config'), path.join(dir, 'home'), spec.vms);
  });

  describe('Include with absolute paths', () => {
    let dir: string;
    before(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ssh-g-'));
      await fs.mkdir(path.join(dir, 'conf.d'));
      await fs.writeFile(path.join(dir, 'conf.d', '10-db.conf'), `Host db-prod\n  HostName DB-1.example.internal\n  Port 2222\n  Include ${dir}/nested.conf\n`);
      await fs.writeFile(path.join(dir, 'conf.d', '20-lab.conf'), 'Host lab-*\n  User labuser\n');
      await fs.writeFile(path.join(dir, 'nested.conf'), 'User nested\nHost web-1\n  Port 9999\n');
      await fs.writeFile(path.join(dir, 'inactive.conf'), 'Port 1111\nHost lab-2\n  Port 2222\n');
      await fs.writeFile(
        path.join(dir, 'config'),
        [
          `Include ${dir}/conf.d/*.conf`,
          'Host web-1',
          '  HostName 10.20.0.11',
          '  User deploy',
          'Host never-matches',
          `  Include ${dir}/inactive.conf`,
          'Host *.internal',
          '  Port 2022',
          'Host *',
          '  User fallback',
          '',
        ].join('\n'),
      );
    });
    after(async () => {
      await fs.rm(dir, { recursive: true, force: true });
    });

    test('globs, nesting, an Include in an inactive block', async () => {
      await assertAgrees(path.join(dir, 'config'), dir, [
        { name: 'web-1', host: '10.20.0.11', user: 'ubuntu' },
        { name: 'db', host: 'db-1.example.internal', user: 'ubuntu' },
        { name: 'lab-2', host: 'lab-2', user: 'ubuntu' },
        { name: 'cache', host: 'cache.example.internal', user: 'ops' },
        { name: 'x', host: '10.1.1.1', user: 'root' },
      ]);
    });
  });
});

describe('effectiveOptions', () => {
  test('parses ssh -G output and keeps the first of repeated keys', { skip: NO_SSH }, async () => {
    const config = path.resolve(__dirname, '../../fixtures/ssh/wildcards/home/.ssh/config');
    const options = await effectiveOptions('db-main', { configFile: config });
    assert.equal(options?.hostname, '10.0.5.5');
    assert.equal(options?.user, 'dba');
    assert.equal(options?.identityfile, '~/.ssh/db key');
  });

  test('undefined when ssh is missing, fails, or is aborted', async () => {
    assert.equal(await effectiveOptions('web', { sshBinary: '/nonexistent/ssh' }), undefined);
    assert.equal(await effectiveOptions('web', { sshBinary: process.execPath, configFile: '/dev/null' }), undefined);
    const abort = new AbortController();
    abort.abort();
    assert.equal(await effectiveOptions('web', { signal: abort.signal }), undefined);
  });

  test('a config ssh rejects gives undefined, not a throw', { skip: NO_SSH }, async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ssh-g-bad-'));
    try {
      await fs.writeFile(path.join(dir, 'config'), 'Bogus yes\n');
      assert.equal(await effectiveOptions('web', { configFile: path.join(dir, 'config') }), undefined);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  test('a bad destination throws before anything runs', async () => {
    for (const bad of ['-oProxyCommand=touch /tmp/x', 'web 1', 'web\n', '', 'a\u0000b', 'web;id', 'web$(id)', 'a`id`', 'we\ufffdb']) {
      await assert.rejects(effectiveOptions(bad, { sshBinary: '/nonexistent/ssh' }), (e: Error) =>
        e.message.startsWith(`Expected an SSH destination (alias, host or user@host), got ${JSON.stringify(bad)}: `),
      );
    }
  });
});
