import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { loadSshConfig } from '../../../src/core/ssh/loadSshConfig';
import { resolveDestination, type VmAddress } from '../../../src/core/ssh/resolveDestination';
import { assertGolden, relativize } from '../golden';

// Each folder of test/fixtures/ssh with a case.json: load its config with its home folder, map
// its VMs to destinations, and compare with expected.json (UPDATE_GOLDEN=1 rewrites it).
interface Case {
  config: string;
  home: string;
  vms: VmAddress[];
}

const fixtures = path.resolve(__dirname, '../../fixtures/ssh');

for (const name of readdirSync(fixtures).sort()) {
  const dir = path.join(fixtures, name);
  if (!existsSync(path.join(dir, 'case.json'))) continue;
  test(`ssh config golden: ${name}`, async () => {
    const spec = JSON.parse(readFileSync(path.join(dir, 'case.json'), 'utf8')) as Case;
    const { config, problems } = await loadSshConfig(path.join(dir, spec.config), { home: path.join(dir, spec.home) });
    const destinations = Object.fromEntries(spec.vms.map((vm) => [vm.name, resolveDestination(vm, config)]));
    const actual = { files: config.files, hosts: config.hosts, problems, destinations };
    assertGolden(relativize(actual, dir), path.join(dir, 'expected.json'));
  });
}
