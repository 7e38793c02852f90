// `npm run test:electron`: the same integration suites as the code-server harness, in a desktop
// VS Code downloaded by @vscode/test-electron. Needs network access to download VS Code, so it is
// not part of `npm test` on machines without it.
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const build = spawnSync(process.execPath, [path.join(root, 'esbuild.mjs')], { stdio: 'inherit', cwd: root });
if (build.status !== 0) process.exit(build.status ?? 1);
try {
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'dist', 'test', 'integration.js'),
    extensionTestsEnv: { VMO_NODE_MODULES: path.join(root, 'node_modules') },
    launchArgs: [path.join(root, 'test', 'fixtures', 'e2e', 'workspace'), '--disable-workspace-trust'],
  });
} catch (error) {
  console.error(`Integration tests in VS Code failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
