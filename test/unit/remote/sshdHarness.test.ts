import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, test } from 'node:test';
import { sshdSkip } from '../../harness/sshd';

// The sshd harness leaves nothing behind even when its test process ends without stopping it.

const harness = path.join(__dirname, '../../harness/sshd.ts');

describe('the sshd harness', { skip: sshdSkip }, () => {
  test('a test process that exits without stop(): sshd, sessions, users and the temp folder are gone', { timeout: 60_000 }, async () => {
    const script = `
      const { startSshd } = require(${JSON.stringify(harness)});
      const { spawn } = require('node:child_process');
      startSshd({ shells: ['/usr/bin/dash'] }).then((sshd) => {
        sshd.writeKnownHosts('known');
        // A session that would stay: sleep on the server, the client left running.
        spawn('ssh', ['-F', sshd.configFile, '-tt', '-o', 'BatchMode=yes', sshd.alias, 'sleep 300'], { stdio: ['pipe', 'ignore', 'ignore'], detached: true }).unref();
        const wait = () => sshd.processesWith('sleep 300').length > 0 ? finish() : setTimeout(wait, 50);
        const finish = () => {
          console.log(JSON.stringify({ port: sshd.port, dir: sshd.dir, users: sshd.users.map((u) => u.name) }));
          process.exit(3);
        };
        wait();
      });`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', timeout: 45_000 });
    assert.equal(run.status, 3, run.stderr);
    const { port, dir, users } = JSON.parse(run.stdout.trim().split('\n').pop()!) as { port: number; dir: string; users: string[] };
    assert.equal(existsSync(dir), false, 'temp folder left');
    for (const user of users) assert.equal(spawnSync('getent', ['passwd', user]).status, 2, `user ${user} left`);
    assert.equal(await accepts(port), false, 'sshd still listening');
    const ps = execFileSync('ps', ['-eo', 'stat,args'], { encoding: 'utf8' });
    assert.deepEqual(ps.split('\n').filter((line) => !line.startsWith('Z') && users.some((u) => line.includes(u))), []);
  });
});

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
