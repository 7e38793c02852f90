import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { REAP_SCRIPT } from '../../../src/core/ssh/remoteReap';
import { processesWithTag, reapTagged } from '../exec/harness';

// The script a cancel runs on the VM, run here with sh, on processes started with the tag in their
// environment, and once more with a grep that has no -z (busybox without it, an old grep).

const noZ = mkdtempSync(path.join(os.tmpdir(), 'vmo-grep-'));
after(() => rmSync(noZ, { recursive: true, force: true }));
writeFileSync(path.join(noZ, 'grep'), `#!/bin/sh\ncase " $* " in *" -"*z*) echo "grep: invalid option -- 'z'" >&2; exit 2;; esac\nexec /usr/bin/grep "$@"\n`);
chmodSync(path.join(noZ, 'grep'), 0o755);

/** Starts `sh -c <line>` in a session of its own with VMO_JOB_ID=<tag>, not waited for. */
function daemon(tag: string, line: string): void {
  spawn('sh', ['-c', line], { env: { ...process.env, VMO_JOB_ID: tag }, detached: true, stdio: 'ignore' }).unref();
}

function reap(tag: string, tenths: number, grep: 'grep -z' | 'no grep -z'): string {
  const env = grep === 'no grep -z' ? { ...process.env, PATH: `${noZ}:${process.env.PATH}` } : process.env;
  return execFileSync('sh', ['-c', REAP_SCRIPT, 'vmo-reap', tag, String(tenths)], { encoding: 'utf8', env }).trim();
}

for (const grep of ['grep -z', 'no grep -z'] as const) {
  test(`${grep}: SIGTERM to each tagged process, SIGKILL to those that ignore it, others untouched`, { timeout: 20_000 }, async (t) => {
    const tag = randomUUID();
    const other = randomUUID();
    t.after(() => [tag, other, `${tag}x`].forEach(reapTagged));
    daemon(tag, 'exec sleep 4751');
    daemon(tag, "trap '' TERM HUP; exec sleep 4752");
    daemon(other, 'exec sleep 4753');
    // Not the same entry: the tag with a suffix.
    daemon(`${tag}x`, 'exec sleep 4754');
    while (processesWithTag(tag).length < 2 || processesWithTag(other).length < 1 || processesWithTag(`${tag}x`).length < 1) await new Promise((r) => setTimeout(r, 20));

    assert.equal(reap(tag, 3, grep), 'vmo-reap 2 1 0');
    assert.deepEqual(processesWithTag(tag), []);
    assert.equal(processesWithTag(other).length, 1);
    assert.equal(processesWithTag(`${tag}x`).length, 1);
  });
}

test('nothing tagged: nothing signaled', () => {
  assert.equal(reap(randomUUID(), 1, 'grep -z'), 'vmo-reap 0 0 0');
});
