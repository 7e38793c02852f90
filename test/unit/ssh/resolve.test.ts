import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sshCommandLine } from '../../../src/core/ssh/commandLine';
import { quotePosix } from '../../../src/shared/format';
import { computeSshOptions } from '../../../src/core/ssh/computeOptions';
import { loadSshConfig } from '../../../src/core/ssh/loadSshConfig';
import { isExactPattern, matchHostPatterns, matchPattern, matchPatternList } from '../../../src/core/ssh/patterns';
import { resolveDestination } from '../../../src/core/ssh/resolveDestination';
import { sshConfigPackage } from '../../../src/core/ssh/sshConfigPackage';
import type { SshConfig } from '../../../src/core/ssh/types';
import { keepReachableVms } from '../../../src/core/ssh/vmDestinations';

let dir: string;
let n = 0;
/** Loads `text` as ~/.ssh/config of a fresh home folder. */
async function config(text: string, extra: Record<string, string> = {}): Promise<SshConfig> {
  const home = path.join(dir, String(n++));
  await fs.mkdir(path.join(home, '.ssh'), { recursive: true });
  for (const [name, content] of Object.entries(extra)) await fs.writeFile(path.join(home, '.ssh', name), content);
  await fs.writeFile(path.join(home, '.ssh', 'config'), text);
  const { config, problems } = await loadSshConfig(path.join(home, '.ssh', 'config'), { home });
  assert.deepEqual(problems, []);
  return config;
}

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ssh-resolve-'));
});
after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('patterns', () => {
  test('* and ? as OpenSSH matches them, case-sensitively', () => {
    assert.ok(matchPattern('web-1', 'web-?'));
    assert.ok(!matchPattern('web-', 'web-?'), '? is exactly one character');
    assert.ok(!matchPattern('web-10', 'web-?'));
    assert.ok(matchPattern('a.b.example.com', '*.example.com'));
    assert.ok(matchPattern('anything', '*'));
    assert.ok(matchPattern('', '*'));
    assert.ok(!matchPattern('WEB', 'web'));
    assert.ok(matchPattern('a*b', 'a*b'));
    assert.ok(matchPattern('aXbYb', 'a*b'));
  });

  test('a Host line: negation wins, whitespace-separated patterns', () => {
    assert.equal(matchHostPatterns('web-1', ['web-?', '!web-9']), 'web-?');
    assert.equal(matchHostPatterns('web-9', ['web-?', '!web-9']), undefined);
    assert.equal(matchHostPatterns('db', ['!web-*']), undefined, 'only negated patterns never match');
    assert.equal(matchHostPatterns('a', ['a,b']), undefined, 'a comma is part of the pattern');
  });

  test('Match pattern lists are comma-separated, with negation', () => {
    assert.ok(matchPatternList('10.0.6.1', '10.0.5.*,10.0.6.*'));
    assert.ok(!matchPatternList('10.0.6.1', '10.0.*,!10.0.6.1'));
    assert.ok(matchPatternList('Web.Example.COM', '*.example.com', true));
  });

  test('exact patterns', () => {
    assert.ok(isExactPattern('web-1'));
    assert.ok(!isExactPattern('web-*'));
    assert.ok(!isExactPattern('!web'));
  });

  // Why the evaluation is not the package's compute(): it disagrees with ssh on these.
  test('ssh-config compute() differs from ssh on ? and on commas in Host', () => {
    const parsed = sshConfigPackage.parse('Host web-?\n  Port 1\nHost a,b\n  Port 2\n');
    assert.equal(parsed.compute('web-', { matchExec: false }).Port, '1', 'compute: ? matches nothing too; ssh: no match');
    assert.equal(parsed.compute('a', { matchExec: false }).Port, '2', 'compute: splits on commas; ssh: no match');
  });
});

describe('computeSshOptions', () => {
  test('first value wins; IdentityFile accumulates; ProxyJump and ProxyCommand exclude each other', async () => {
    const c = await config('Host web\n  User a\n  IdentityFile ~/.ssh/one\n  ProxyCommand nc %h %p\nHost *\n  User b\n  IdentityFile ~/.ssh/two\n  ProxyJump j\n');
    const o = computeSshOptions(c, 'web').options;
    assert.equal(o.get('user')?.[0].value, 'a');
    assert.deepEqual(o.get('identityfile')?.map((v) => v.value), ['~/.ssh/one', '~/.ssh/two']);
    assert.equal(o.has('proxyjump'), false);
    assert.equal(o.get('proxycommand')?.[0].line, 4);
  });

  test('an Include inside a block that does not match applies nothing, not even its Host blocks', async () => {
    const c = await config('Host other\n  Include extra.conf\nHost *\n  Port 22\n', { 'extra.conf': 'Port 1111\nHost web\n  User inc\n' });
    assert.deepEqual([...computeSshOptions(c, 'web').options.keys()], ['port']);
    assert.equal(computeSshOptions(c, 'other').options.get('port')?.[0].value, '1111');
  });

  test('Match exec is never run; Match all applies', async () => {
    const marker = path.join(dir, 'exec-ran');
    const c = await config(`Match exec "touch ${marker}"\n  Port 1\nMatch all\n  Port 2\n`);
    assert.equal(computeSshOptions(c, 'web').options.get('port')?.[0].value, '2');
    await assert.rejects(fs.access(marker));
  });

  test('Match host sees HostName with %h expanded', async () => {
    const c = await config('Host web\n  HostName %h.example.com\nMatch host *.example.com\n  User matched\n');
    assert.equal(computeSshOptions(c, 'web').options.get('user')?.[0].value, 'matched');
  });
});

describe('resolveDestination', () => {
  test('an alias without User gets ansible_user in front', async () => {
    const c = await config('Host web-1\n  HostName 10.0.0.1\n  Port 2200\n');
    const d = resolveDestination({ name: 'web-1', host: '10.0.0.1', user: 'deploy' }, c);
    assert.equal(d.destination, 'deploy@web-1');
    assert.equal(d.user, 'deploy');
    assert.equal(d.port, 2200);
    assert.equal(d.via, 'alias');
    assert.deepEqual(d.matchedHost, { pattern: 'web-1', file: c.file, line: 1 });
  });

  test('the VM name wins over its host, a host alias over a HostName match', async () => {
    const c = await config('Host other\n  HostName 10.0.0.1\nHost 10.0.0.1\n  User byhost\nHost web\n  User byname\n');
    assert.equal(resolveDestination({ name: 'web', host: '10.0.0.1', user: 'u' }, c).destination, 'web');
    assert.equal(resolveDestination({ name: 'x', host: '10.0.0.1', user: 'u' }, c).destination, '10.0.0.1');
  });

  test('a HostName match is only used when ssh would really go there', async () => {
    const c = await config('Host *\n  HostName elsewhere\nHost db\n  HostName 10.0.0.5\n');
    const d = resolveDestination({ name: 'x', host: '10.0.0.5', user: 'u' }, c);
    assert.equal(d.via, 'default');
    assert.equal(d.destination, 'u@10.0.0.5');
  });

  test('ProxyJump none is no jump', async () => {
    const c = await config('Host db\n  HostName 10.0.0.5\n  ProxyJump none\nHost *\n  ProxyJump bastion\n');
    assert.equal(resolveDestination({ name: 'db', host: '10.0.0.5', user: 'u' }, c).proxyJump, undefined);
  });

  test('wildcard blocks still apply to ansible_user@host', async () => {
    const c = await config('Host 10.1.*\n  Port 2022\n  IdentityFile ~/.ssh/lab\n');
    const d = resolveDestination({ name: 'lab', host: '10.1.2.3', user: 'root' }, c);
    assert.deepEqual(
      { destination: d.destination, port: d.port, identityFile: d.identityFile, via: d.via, applied: d.appliedHosts.map((h) => h.pattern) },
      { destination: 'root@10.1.2.3', port: 2022, identityFile: '~/.ssh/lab', via: 'default', applied: ['10.1.*'] },
    );
  });
});

describe('sshCommandLine', () => {
  test('argv without a shell and a display string quoted for sh', () => {
    assert.deepEqual(sshCommandLine('web-1'), { argv: ['ssh', '--', 'web-1'], display: 'ssh -- web-1' });
    assert.deepEqual(sshCommandLine('deploy@10.0.0.1', '/home/me/my ssh/config'), {
      argv: ['ssh', '-F', '/home/me/my ssh/config', '--', 'deploy@10.0.0.1'],
      display: "ssh -F '/home/me/my ssh/config' -- deploy@10.0.0.1",
    });
    assert.equal(quotePosix("it's"), `'it'\\''s'`);
    assert.equal(quotePosix('$(x)'), `'$(x)'`);
  });

  test('a bad destination throws an exact message', () => {
    assert.throws(() => sshCommandLine('-oProxyCommand=x'), { message: 'Expected an SSH destination (alias, host or user@host), got "-oProxyCommand=x": the destination starts with "-", which ssh would take for an option' });
    assert.throws(() => sshCommandLine('a;b'), { message: 'Expected an SSH destination (alias, host or user@host), got "a;b": the host "a;b" has ";", a shell metacharacter' });
    assert.throws(() => sshCommandLine('a b'), { message: 'Expected an SSH destination (alias, host or user@host), got "a b": the host "a b" has whitespace (U+0020)' });
  });
});

describe('VMs whose resolved destination is refused', () => {
  test('an alias from the SSH config that the check refuses makes the VM a problem at its line', async () => {
    const ssh = await config('Host web;id\n  HostName 10.0.0.1\nHost db\n  HostName 10.0.0.2\n');
    const vm = (name: string, host: string, line: number) => ({ name, environment: 'lab', host, user: 'deploy', vars: {}, file: '/ws/environments/lab/config.yml', line });
    const { environments, problems } = keepReachableVms(
      [{ name: 'lab', file: '/ws/environments/lab/config.yml', vms: [vm('web;id', '10.0.0.9', 2), vm('db', '10.0.0.2', 4)] }],
      ssh,
    );
    assert.deepEqual(environments[0].vms.map((v) => v.name), ['db']);
    assert.deepEqual(problems, [
      {
        severity: 'error',
        message: 'VM "web;id": ssh "deploy@web;id" is refused: the host "web;id" has ";", a shell metacharacter.',
        file: '/ws/environments/lab/config.yml',
        line: 2,
      },
    ]);
  });
});
