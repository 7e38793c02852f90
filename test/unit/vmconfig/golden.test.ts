import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { findEnvironmentFiles } from '../../../src/core/vmconfig/findEnvironmentFiles';
import { loadEnvironments } from '../../../src/core/vmconfig/loadEnvironments';
import { assertGolden, relativize } from '../golden';

// Each folder of test/fixtures/vmconfig with a case.json is one discovery + load run; its result
// is compared with expected.json beside it (UPDATE_GOLDEN=1 rewrites it).
interface Case {
  roots: string[];
  extraGlobs: string[];
  /** Globs relative to the case folder, passed as absolute patterns. */
  absoluteGlobs?: string[];
}

const fixtures = path.resolve(__dirname, '../../fixtures/vmconfig');

for (const name of readdirSync(fixtures).sort()) {
  const dir = path.join(fixtures, name);
  if (!existsSync(path.join(dir, 'case.json'))) continue;
  test(`vm-config golden: ${name}`, async () => {
    const spec = JSON.parse(readFileSync(path.join(dir, 'case.json'), 'utf8')) as Case;
    const roots = spec.roots.map((r) => path.join(dir, r));
    const globs = [...spec.extraGlobs, ...(spec.absoluteGlobs ?? []).map((g) => path.join(dir, g))];
    const found = await findEnvironmentFiles(roots, globs);
    const loaded = await loadEnvironments(found.files);
    const result = { files: found.files, environments: loaded.environments, problems: [...found.problems, ...loaded.problems] };
    assertGolden(relativize(result, dir), path.join(dir, 'expected.json'));
  });
}
