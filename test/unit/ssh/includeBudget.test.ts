import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, mock, test } from 'node:test';
import { loadSshConfig, SSH_CONFIG_BUDGET } from '../../../src/core/ssh/loadSshConfig';
import { resolveDestination } from '../../../src/core/ssh/resolveDestination';

// Includes without a cycle that still multiply: each file naming the next one three times over
// 15 levels is 14 million files to read. The load stops at SSH_CONFIG_BUDGET with an error at
// the Include that went over it, and keeps what it read before. No timing: the runner's timeout
// catches a load that does not stop.

const VM = { name: 'web', host: '10.0.0.1', user: 'ubuntu' };

describe('SSH config read budget', () => {
  let home: string;
  const ssh = (rel: string) => path.join(home, '.ssh', rel);
  before(async () => {
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'ssh-budget-'));
    await fs.mkdir(path.join(home, '.ssh', 'inc'), { recursive: true });
  });
  after(async () => {
    await fs.rm(home, { recursive: true, force: true });
  });

  test('Includes fanned out 3 ways over 15 levels stop at the Include that goes over, with what was read before kept', { timeout: 60_000 }, async () => {
    const x = (n: number) => ssh(`inc/x${n}`);
    for (let n = 1; n <= 15; n++) await fs.writeFile(x(n), `Include ${x(n + 1)} ${x(n + 1)} ${x(n + 1)}\n`);
    await fs.writeFile(x(16), 'Host foo\n');
    await fs.writeFile(ssh('fan'), `Host web\n  User early\nInclude ${x(1)}\nHost web\n  Port 2222\n`);
    const opened = mock.method(fsp, 'open');
    try {
      const { config, problems } = await loadSshConfig(ssh('fan'), { home });
      assert.equal(problems.length, 1, JSON.stringify(problems, null, 2));
      const [problem] = problems;
      assert.equal(problem.severity, 'error');
      assert.equal(problem.message, `Include "${x(16)}" takes this SSH config over ${SSH_CONFIG_BUDGET.files} files read in all (a file counts each time it is included), so the rest of it is not read here; ssh would read it all, however long that takes. Look for Includes that name the same files again and again.`);
      // Depth first, as ssh reads: the first branch reaches x16 and the budget runs out in a file of the deepest levels.
      assert.equal(problem.file, x(15));
      assert.equal(problem.line, 1);
      assert.deepEqual(config.files, [ssh('fan'), ...Array.from({ length: 16 }, (_, i) => x(i + 1))]);
      // Each of the 17 files came from disk once, however often it was included.
      assert.equal(opened.mock.callCount(), 17);
      // What came before the Include applies; the Host block after it was not read.
      const dest = resolveDestination(VM, config);
      assert.equal(dest.destination, 'web');
      assert.equal(dest.user, 'early');
      assert.equal(dest.port, undefined);
    } finally {
      opened.mock.restore();
    }
  });

  test('the budget counts bytes too: a 1 MiB file included ten times', { timeout: 60_000 }, async () => {
    const big = ssh('big');
    await fs.writeFile(big, `Host big\n${'# padding\n'.repeat((1024 * 1024 - 9) / 10)}`);
    const lines = ['Host web', '  User early', ...Array.from({ length: 10 }, () => `Include ${big}`), 'Host web', '  Port 2222'];
    await fs.writeFile(ssh('bytes'), `${lines.join('\n')}\n`);
    const { config, problems } = await loadSshConfig(ssh('bytes'), { home });
    assert.deepEqual(
      problems.map((p) => [p.severity, p.file, p.line, p.message.split(' read in all')[0]]),
      [['error', ssh('bytes'), 10, `Include "${big}" takes this SSH config over 8 MiB`]],
    );
    assert.equal(config.hosts.filter((h) => h.patterns[0] === 'big').length, 7);
    assert.equal(resolveDestination(VM, config).user, 'early');
    assert.equal(resolveDestination(VM, config).port, undefined);
  });

  test('a file included several times applies at each place and its problems are reported once', async () => {
    await fs.writeFile(ssh('common'), 'Bogus yes\nHost *\n  Port 2200\n');
    await fs.writeFile(ssh('twice'), `Include common\nHost web\n  User w\nInclude common common\n`);
    const { config, problems } = await loadSshConfig(ssh('twice'), { home });
    assert.deepEqual(problems, [
      { severity: 'warning', message: 'Unknown option "Bogus": ssh stops with "Bad configuration option" unless IgnoreUnknown lists it.', file: ssh('common'), line: 1 },
    ]);
    assert.deepEqual(config.files, [ssh('twice'), ssh('common')]);
    assert.deepEqual(config.hosts.map((h) => `${h.patterns.join(' ')}@${path.basename(h.file)}:${h.line}`), ['*@common:2', 'web@twice:2', '*@common:2', '*@common:2']);
    const dest = resolveDestination(VM, config);
    assert.equal(dest.user, 'w');
    assert.equal(dest.port, 2200);
  });
});
