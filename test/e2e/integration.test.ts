// Runs the integration suite inside code-server's extension host; each of its tests becomes a subtest here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runIntegrationSuite } from '../harness/integration';

test('integration suite in the extension host', { timeout: 240_000 }, async (t) => {
  const run = await runIntegrationSuite({ name: 'integration', timeoutMs: 150_000 });
  for (const result of run.tests) {
    const skip = result.state === 'pending' ? 'skipped in the extension host' : false;
    await t.test(result.title, { skip }, () => {
      if (result.state === 'failed') {
        const where = run.artifactsDir ? `\n(artifacts in ${run.artifactsDir})` : '';
        assert.fail(`${result.error ?? 'failed'}${where}`);
      }
    });
  }
  assert.equal(run.error, undefined, `${run.error}${run.artifactsDir ? `\n(artifacts in ${run.artifactsDir})` : ''}`);
});
