import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadSshConfig } from '../../../src/core/ssh/loadSshConfig';
import { listContainers } from '../../../src/core/ssh/remoteContainers';
import { resolveDestination } from '../../../src/core/ssh/resolveDestination';
import { runRemote } from '../../../src/core/ssh/remoteJob';
import { sshdSkip, startSshd, type Sshd } from '../../harness/sshd';
import { nastyArguments } from './helpers';

// Remote commands against a real sshd on 127.0.0.1, as test users whose login shells are dash,
// bash, tcsh and fish (those installed): ssh hands the command string to that shell.

const TIMEOUT = { timeout: 30_000 };

describe('remote commands over a real sshd', { skip: sshdSkip }, () => {
  let sshd: Sshd;
  before(async () => {
    sshd = await startSshd({ shells: ['/usr/bin/dash', '/usr/bin/bash', '/usr/bin/tcsh', '/usr/bin/fish'] });
    sshd.writeKnownHosts('known');
  });
  after(() => sshd?.stop());
  const run = (argv: string[], destination = sshd.alias) => runRemote(destination, argv, { configFile: sshd.configFile, timeoutMs: 20_000 });

  test('a VM resolved through the client config (Include, Match host, Host *) is reached', TIMEOUT, async () => {
    const { config, problems } = await loadSshConfig(sshd.configFile, { home: sshd.dir });
    assert.deepEqual(problems, []);
    const resolved = resolveDestination({ name: sshd.alias, host: '127.0.0.1', user: 'ignored' }, config);
    assert.deepEqual([resolved.destination, resolved.user, resolved.port, resolved.via], [sshd.alias, sshd.users[0].name, sshd.port, 'alias']);
    const { output } = await run(['sh', '-c', 'id -un'], resolved.destination);
    assert.equal(output, `${sshd.users[0].name}\n`);
  });

  test('output and exit code of the remote command', TIMEOUT, async () => {
    const failed = await run(['sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(failed.output, 'out\nerr\n');
    assert.equal(failed.result.status, 'failed');
    assert.equal(failed.result.exitCode, 3);
    assert.equal(failed.result.sshFailure, undefined);
    const ok = await run(['true']);
    assert.equal(ok.result.status, 'success');
    assert.equal(ok.result.exitCode, 0);
  });

  test('a remote program that is not there: the shell says so, exit 127', TIMEOUT, async () => {
    const { result, output } = await run(['no-such-program-vmo']);
    assert.equal(result.exitCode, 127);
    assert.match(output, /no-such-program-vmo: not found/);
  });

  test('the users really have different login shells', TIMEOUT, async () => {
    for (const user of sshd.users) {
      const { output } = await run(['sh', '-c', 'printf "%s\\n" "$SHELL"'], `${user.name}@${sshd.alias}`);
      assert.equal(output, `${user.shell}\n`);
    }
  });

  test('every login shell: arguments arrive unchanged and nothing else runs', TIMEOUT, async () => {
    for (const user of sshd.users) {
      const marker = path.join(sshd.scratchDir, `marker-${user.name}`);
      const args = nastyArguments(marker);
      const { result, output } = await run(['print-argv', ...args], `${user.name}@${sshd.alias}`);
      assert.equal(result.status, 'success', `${user.shell}: ${output}`);
      assert.deepEqual(JSON.parse(output), args, user.shell);
      assert.equal(existsSync(marker), false, `${user.shell}: marker created`);
    }
  });

  test('the marker of the injection tests can be created by the remote user', TIMEOUT, async () => {
    const marker = path.join(sshd.scratchDir, 'marker-control');
    await run(['touch', marker]);
    assert.equal(existsSync(marker), true);
  });

  test('injection through host or user is refused before anything runs', TIMEOUT, async () => {
    const marker = path.join(sshd.scratchDir, 'marker-destination');
    for (const destination of [
      `${sshd.alias};touch ${marker}`, `${sshd.alias}$(touch ${marker})`, `${sshd.alias}\`touch ${marker}\``, `${sshd.alias}\ntouch ${marker}`,
      `-oProxyCommand=touch ${marker}`, `$(touch ${marker})@${sshd.alias}`, `x;touch ${marker}@${sshd.alias}`, `${sshd.users[0].name}@-oProxyCommand=touch`,
    ]) {
      await assert.rejects(run(['true'], destination), (e: Error) => e.message.startsWith(`Expected an SSH destination (alias, host or user@host), got ${JSON.stringify(destination)}: `));
    }
    assert.equal(existsSync(marker), false);
  });

  test('docker ps over ssh lists the containers for the UI', TIMEOUT, async () => {
    assert.deepEqual(await listContainers(sshd.alias, { configFile: sshd.configFile }), { names: ['web-1', 'db'] });
  });
});
