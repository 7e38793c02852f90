import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { startJob } from '../../../src/core/exec/startJob';
import { loadSshConfig } from '../../../src/core/ssh/loadSshConfig';
import { resolveDestination } from '../../../src/core/ssh/resolveDestination';
import { VM_VAR_PREFIX, vmContext, vmContextNotes, vmEnvironment } from '../../../src/core/ssh/vmContext';
import type { Vm } from '../../../src/core/vmconfig/types';

let dir: string;
before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vm-context-'));
});
after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const vm = (vars: Record<string, unknown> = {}): Vm => ({ name: 'web-1', environment: 'staging', host: '10.0.0.5', user: 'ubuntu', vars, file: '/ws/environments/staging/config.yml', line: 4 });

async function sshConfig(text: string) {
  const home = path.join(dir, `home-${Math.random().toString(36).slice(2)}`);
  await fs.mkdir(path.join(home, '.ssh'), { recursive: true });
  const file = path.join(home, '.ssh', 'config');
  await fs.writeFile(file, text);
  return { file, config: (await loadSshConfig(file, { home })).config };
}

describe('a target run for a VM', () => {
  test('is told the VM as ssh reaches it: the alias, and User, HostName and Port from the SSH config', async () => {
    const { file, config } = await sshConfig('Host web-1\n  HostName 10.0.0.5\n  User deploy\n  Port 2222\n');
    const context = vmContext(vm({ app_port: 8080, debug: false, tags: ['a', 'b'], nothing: null }), resolveDestination(vm(), config), file);
    assert.equal(context.id, 'staging/web-1');
    assert.deepEqual(context.env, {
      VMO_VM: 'web-1',
      VMO_ENV: 'staging',
      VMO_HOST: '10.0.0.5',
      VMO_USER: 'deploy',
      VMO_PORT: '2222',
      VMO_SSH_DEST: 'web-1',
      VMO_SSH_CONFIG: file,
      VMO_VAR_app_port: '8080',
      VMO_VAR_debug: 'false',
      VMO_VAR_tags: '["a","b"]',
    });
    assert.deepEqual(context.skipped, ['nothing has no value']);
  });

  test('without a Host block: ansible_user@host on port 22', async () => {
    const { file, config } = await sshConfig('');
    const { env } = vmContext(vm(), resolveDestination(vm(), config), file);
    assert.equal(env.VMO_SSH_DEST, 'ubuntu@10.0.0.5');
    assert.equal(env.VMO_PORT, '22');
    assert.equal(env.VMO_USER, 'ubuntu');
  });

  test('make sees the context in its environment, and the job log names the VM and what was left out', async () => {
    const { file, config } = await sshConfig('');
    const context = vmContext(vm({ region: 'eu west', 'bad-name': 1 }), resolveDestination(vm(), config), file);
    await fs.writeFile(path.join(dir, 'Makefile'), 'show:\n\t@printf "%s|%s|%s\\n" "$$VMO_SSH_DEST" "$$VMO_VAR_region" "$(VMO_ENV)"\n');
    let output = '';
    const running = startJob({ argv: ['make', '-s', 'show'], cwd: dir, env: vmEnvironment(context), usePty: false }, { onChunk: (c) => (output += c.text) });
    assert.equal((await running.done).exitCode, 0);
    assert.equal(output, 'ubuntu@10.0.0.5|eu west|staging\n');
    const notes = vmContextNotes(context).join('\n');
    assert.match(notes, /for VM staging\/web-1 · VMO_SSH_DEST=ubuntu@10\.0\.0\.5/);
    assert.match(notes, /VMO_VAR_region/);
    assert.match(notes, /"bad-name" is not a variable name/);
  });

  test('whatever vars a config.yml holds, they add only VMO_ variables, and each var is either set or said to be left out', async () => {
    const { file, config } = await sshConfig('');
    const ssh = resolveDestination(vm(), config);
    const values = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }));
    fc.assert(
      fc.property(fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('PATH', 'LD_PRELOAD', 'MAKEFLAGS', '__proto__')), values, { maxKeys: 6 }), (vars) => {
        const context = vmContext(vm(vars), ssh, file);
        for (const [name, value] of Object.entries(context.env)) {
          assert.ok(name.startsWith('VMO_'), name);
          assert.ok(!value.includes('\0'));
        }
        const set = Object.keys(context.env).filter((n) => n.startsWith(VM_VAR_PREFIX)).length;
        assert.equal(set + context.skipped.length, Object.keys(vars).length);
        const merged = vmEnvironment(context, { PATH: '/usr/bin' })!;
        assert.equal(merged.PATH, '/usr/bin');
      }),
    );
  });
});
