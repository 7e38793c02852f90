import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { describeRunner, targetCommand } from '../../../src/core/mkcli/targetCommand';
import type { RegistryEntry } from '../../../src/core/mkcli/registry';

const bin = path.join(__dirname, '../../fixtures/mkcli/bin');
const dir = path.join(__dirname, '../../fixtures/mkcli/projects/web');
const entry = (alias: string): RegistryEntry => ({ alias, dir, file: '/registry', line: 1 });

test('the alias runs a target only when it is on PATH; the tooltip says which command and why', async () => {
  const withAlias = { PATH: `${bin}${path.delimiter}/usr/bin:/bin` };
  assert.deepEqual(await targetCommand(entry('webcli'), 'build', [], withAlias), { file: 'webcli', args: ['build'] });
  assert.equal(await describeRunner(entry('webcli'), withAlias), `Runs \`webcli <target>\` (mkcli alias found at ${path.join(bin, 'webcli')})`);

  const without = { PATH: '/usr/bin:/bin' };
  assert.deepEqual(await targetCommand(entry('webcli'), 'build', [], without), { file: 'make', args: ['-C', dir, '--no-print-directory', 'build'] });
  assert.equal(await describeRunner(entry('webcli'), without), `Runs \`make -C ${dir} <target>\`: no \`webcli\` on the PATH of the login shell`);
});
