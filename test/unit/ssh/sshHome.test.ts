// ssh takes `~` from the passwd entry, not from $HOME; so does sshHome, which decides which config
// the VMs view reads. Both checked in processes whose HOME holds a config with a Host block.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { NO_SSH } from './systemSsh';

const SSH_HOME = path.join(__dirname, '../../../src/core/ssh/sshHome.ts');

test('with HOME elsewhere, ssh does not read its config, and sshHome names the home ssh uses', { skip: NO_SSH }, (t) => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'vmo-ssh-home-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  mkdirSync(path.join(home, '.ssh'), { mode: 0o700 });
  writeFileSync(path.join(home, '.ssh', 'config'), 'Host vmo-home-probe\n  HostName 10.9.9.9\n', { mode: 0o600 });
  const env = { ...process.env, HOME: home };

  const effective = execFileSync('ssh', ['-G', '--', 'vmo-home-probe'], { env, encoding: 'utf8' });
  assert.match(effective, /^hostname vmo-home-probe$/m, 'ssh ignored the Host block of $HOME/.ssh/config');

  const script = `console.log(JSON.stringify(require(${JSON.stringify(SSH_HOME)}).sshHome()));`;
  const seen = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { env, encoding: 'utf8' })) as string;
  assert.equal(seen, os.userInfo().homedir);
  assert.notEqual(seen, home);
});
