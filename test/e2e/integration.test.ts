// Runs the integration suite inside code-server's extension host; each of its tests becomes a subtest here.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { runIntegrationSuite, type IntegrationRun } from '../harness/integration';

/** Reports each recorded test as a subtest of `t`, then fails `t` if the suite itself broke. */
async function report(t: TestContext, run: IntegrationRun): Promise<void> {
  for (const result of run.tests) {
    const skip = result.state === 'pending' ? 'skipped in the extension host' : false;
    await t.test(result.title, { skip }, () => {
      if (result.state === 'failed') {
        // Rethrow as recorded in the extension host: its message and stack, not this process's.
        const recorded = result.error ?? 'failed';
        const err = new Error(recorded.split('\n')[0]);
        err.stack = `${recorded}${run.artifactsDir ? `\n(artifacts in ${run.artifactsDir})` : ''}`;
        throw err;
      }
    });
  }
  assert.equal(run.error, undefined, `${run.error}${run.artifactsDir ? `\n(artifacts in ${run.artifactsDir})` : ''}`);
}

test('integration suite in the extension host', { timeout: 240_000 }, async (t) => {
  const run = await runIntegrationSuite({
    name: 'integration',
    timeoutMs: 150_000,
    env: { VMO_EXPECT_TRUSTED: 'true' },
  });
  await report(t, run);
});

test('integration suite in Restricted Mode (Workspace Trust on, folder not trusted)', { timeout: 240_000 }, async (t) => {
  const run = await runIntegrationSuite({
    name: 'integration-restricted',
    timeoutMs: 150_000,
    workspaceTrust: true,
    // Suites meant for Restricted Mode say so in their title; activation must work there too.
    grep: 'activation|Restricted Mode',
    env: { VMO_EXPECT_TRUSTED: 'false' },
  });
  await report(t, run);
});
