import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { startJob } from '../../../src/core/exec/startJob';
import { sshRemoteArgv } from '../../../src/core/ssh/remoteCommand';
import { startRemoteJob } from '../../../src/core/ssh/remoteJob';
import { sshdSkip, startSshd, type Sshd } from '../../harness/sshd';
import { processesWithTag, reapTagged } from '../exec/harness';
import { waitFor } from './helpers';

// Does stopping ssh stop the remote command? The "remote" side is this machine, so its
// processes are found by a marker argument. tree.js starts a leader, two children and two
// grandchildren that print once and then stay silent: nothing ends them by a write to a closed
// pipe, only a signal does.
//
// Without a PTY, sshd leaves the command running when the connection closes. With `ssh -tt`
// the command runs on a remote PTY; when the connection closes, sshd closes the PTY and the
// kernel sends SIGHUP to its session: the whole tree stops, whether the client was canceled or
// the connection dropped.

const TIMEOUT = { timeout: 30_000 };

describe('canceling a remote command stops the remote side', { skip: sshdSkip }, () => {
  let sshd: Sshd;
  before(async () => {
    sshd = await startSshd({ shells: ['/usr/bin/bash', '/usr/bin/fish'] });
    sshd.writeKnownHosts('known');
  });
  after(() => sshd?.stop());

  const tree = (marker: string): string[] => ['node', path.join(sshd.binDir, 'tree.js'), 'leader', marker];
  const remaining = (marker: string): string[] => sshd.processesWith(marker);

  for (const shellIndex of [0, 1]) {
    test(`ssh -tt: cancel leaves no remote process (login shell ${shellIndex === 0 ? 'bash' : 'fish'})`, TIMEOUT, async (t) => {
      const user = sshd.users[shellIndex];
      if (!user) return t.skip('shell not installed');
      const marker = `vmo-remote-${randomUUID()}`;
      let output = '';
      const job = startRemoteJob(`${user.name}@${sshd.alias}`, tree(marker), { configFile: sshd.configFile, graceMs: 1000, onChunk: (c) => (output += c.text) });
      await waitFor(() => (output.match(/started/g) ?? []).length === 5, 15_000, 'five remote processes');
      // fish stays as the parent of sh, with the marker in its command line too.
      assert.equal(remaining(marker).filter((line) => line.split(' ')[2].endsWith('node')).length, 5, remaining(marker).join('\n'));
      job.cancel();
      assert.equal((await job.done).status, 'canceled');
      await waitFor(() => remaining(marker).length === 0, 5000, `the remote processes to end:\n${remaining(marker).join('\n')}`);
    });
  }

  test('ssh -tt: a dropped connection (server side killed) leaves no remote process', TIMEOUT, async () => {
    const marker = `vmo-remote-${randomUUID()}`;
    let output = '';
    const job = startRemoteJob(sshd.alias, tree(marker), { configFile: sshd.configFile, onChunk: (c) => (output += c.text) });
    await waitFor(() => (output.match(/started/g) ?? []).length === 5, 15_000, 'five remote processes');
    assert.equal(sshd.killSessions(marker), 1);
    const result = await job.done;
    assert.equal(result.exitCode, 255);
    await waitFor(() => remaining(marker).length === 0, 5000, `the remote processes to end:\n${remaining(marker).join('\n')}`);
  });

  // What the hang-up does not stop: a child that left the session (setsid), and a command that
  // ignores SIGHUP and SIGTERM with all its children. The second connection's reap does; the
  // sleeps' fractional durations make them findable by their arguments too.
  const leftovers = [
    { what: 'a setsid child', trap: '', escalates: false },
    { what: 'a command and its background children that ignore SIGHUP and SIGTERM', trap: 'trap "" TERM HUP INT; ', escalates: true },
  ];
  for (const { what, trap, escalates } of leftovers) {
    test(`cancel stops what the hang-up leaves on the VM: ${what}`, TIMEOUT, async (t) => {
      const tag = randomUUID();
      const unique = String(Math.random()).slice(2, 10);
      const [inBackground, inOwnSession, inForeground] = ['4731', '4733', '4732'].map((n) => `${n}.${unique}`);
      t.after(() => reapTagged(tag));
      const script = `${trap}sleep ${inBackground} & setsid sleep ${inOwnSession} & echo started; sleep ${inForeground}`;
      let output = '';
      const job = startRemoteJob(sshd.alias, ['bash', '-c', script], { configFile: sshd.configFile, graceMs: 1000, tag, onChunk: (c) => (output += c.text) });
      await waitFor(() => output.includes('started') && remaining(inOwnSession).length === 1 && remaining(inForeground).length === 1, 15_000, 'the remote sleeps');
      // bash runs its last command with exec: the three sleeps are all there is.
      assert.equal(processesWithTag(tag).filter((p) => p.args.startsWith('sleep 473')).length, 3, JSON.stringify(processesWithTag(tag)));

      job.cancel();
      const result = await job.done;
      assert.deepEqual([result.status, result.exitCode, result.signal, result.sshFailure], ['canceled', null, null, undefined]);
      assert.deepEqual(processesWithTag(tag), []);
      for (const sleep of [inBackground, inOwnSession, inForeground]) assert.deepEqual(remaining(sleep), []);
      if (escalates) assert.match(output, /On testvm: \d+ process(es)? of the command still ran 1000 ms after SIGTERM: sent SIGKILL\./);
      else assert.doesNotMatch(output, /SIGKILL/);
    });
  }

  test('a cancel when the VM no longer answers still ends the job, and says what may be left', TIMEOUT, async (t) => {
    const tag = randomUUID();
    const unique = `4734.${String(Math.random()).slice(2, 10)}`;
    const config = readFileSync(sshd.configFile, 'utf8');
    // A server that accepts connections and never says a word, as a VM that hangs.
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    t.after(() => {
      writeFileSync(sshd.configFile, config);
      silent.close();
      reapTagged(tag);
    });
    let output = '';
    const job = startRemoteJob(sshd.alias, ['bash', '-c', `setsid sleep ${unique} & echo started; sleep 4735`], { configFile: sshd.configFile, graceMs: 1000, tag, onChunk: (c) => (output += c.text) });
    await waitFor(() => output.includes('started') && remaining(unique).length === 1, 15_000, 'the remote sleep');
    // The established connection stays; a new one reaches the silent server.
    writeFileSync(sshd.configFile, config.replace(`Port ${sshd.port}`, `Port ${(silent.address() as net.AddressInfo).port}`));
    job.cancel();
    const result = await job.done;
    assert.deepEqual([result.status, result.exitCode, result.signal], ['canceled', null, null]);
    assert.match(output, /Could not reach testvm again to stop what the command left running there \(.*timed out.*\)/);
    assert.equal(remaining(unique).length, 1, 'the setsid sleep is left, as the note says');
  });

  test('without a PTY the remote tree outlives the canceled ssh (why -tt)', TIMEOUT, async (t) => {
    const marker = `vmo-remote-${randomUUID()}`;
    t.after(() => {
      for (const line of remaining(marker)) process.kill(Number(line.split(' ')[0]), 'SIGKILL');
    });
    const argv = sshRemoteArgv(sshd.alias, tree(marker), { configFile: sshd.configFile }).filter((word) => word !== '-tt');
    let output = '';
    const job = startJob({ argv, usePty: false }, { graceMs: 1000, onChunk: (c) => (output += c.text) });
    await waitFor(() => (output.match(/started/g) ?? []).length === 5, 15_000, 'five remote processes');
    job.cancel();
    assert.equal((await job.done).status, 'canceled');
    await sleep(1500);
    assert.equal(remaining(marker).length, 5);
  });
});
