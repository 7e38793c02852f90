import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { collect, node, processesWith, processesWithTag, reap, reapTagged, stopAll, uniqueMarker, waitFor } from './harness';

after(stopAll);

const TIMEOUT = { timeout: 20_000 };
const transports = [
  { name: 'pty', usePty: true },
  { name: 'pipes', usePty: false },
] as const;

/** pid → pgid of the processes that printed `started <role> <pid>`, read from ps. */
function groupsOf(marker: string): Map<number, number> {
  return new Map(processesWith(marker).map((line) => line.trim().split(/\s+/).slice(0, 2).map(Number) as [number, number]));
}

const cases = [
  { flags: [], processes: 5, what: 'a leader, its children and grandchildren all stop on SIGTERM', escalates: false },
  { flags: ['--ignore-term'], processes: 5, what: 'a tree that ignores SIGTERM is killed after the grace period', escalates: true },
  { flags: ['--escape'], processes: 7, what: 'a child that left the group with setsid is stopped too', escalates: false },
  { flags: ['--escape', '--ignore-term'], processes: 7, what: 'an escaped child that ignores SIGTERM is killed too', escalates: true },
];

// Daemons: each line below runs in a shell of its own, as make runs a recipe, and that shell exits
// at once, so the daemon is adopted by init (or a subreaper) before the cancel: nothing links it
// to the job's tree any more, only its environment (VMO_JOB_ID) does.
const daemons = [
  {
    what: 'a daemon started with setsid (sh -c … &) is stopped too',
    line: `setsid sh -c 'sleep 4713; :' </dev/null >/dev/null 2>&1 &`,
    escalates: false,
  },
  {
    what: 'a setsid daemon that ignores SIGTERM and SIGHUP (trap, nohup) is killed after the grace period',
    line: `trap '' TERM HUP INT; setsid nohup sleep 4716 </dev/null >/dev/null 2>&1 &`,
    escalates: true,
  },
];

for (const { name, usePty } of transports) {
  for (const { what, line, escalates } of daemons) {
    test(`${name}: cancel: ${what}`, TIMEOUT, async (t) => {
      const tag = uniqueMarker();
      t.after(() => reapTagged(tag));
      const script = `sh -c ${JSON.stringify(line)}; echo started; exec sleep 4715`;
      const run = collect({ argv: ['sh', '-c', script], usePty, tag }, { graceMs: 300 });
      const orphans = () => {
        const tagged = processesWithTag(tag);
        return tagged.filter((p) => p.sid !== run.job.pid && !tagged.some((q) => q.pid === p.ppid));
      };
      await waitFor(() => run.text().includes('started') && orphans().length > 0, 10_000, 'the daemon to lose its parent');
      assert.ok(orphans().every((p) => /^(sh -c )?sleep 47\d\d/.test(p.args)), JSON.stringify(processesWithTag(tag)));

      run.job.cancel();
      const result = await run.result;
      assert.equal(result.status, 'canceled');
      assert.deepEqual(processesWithTag(tag), []);
      if (escalates) assert.match(run.text('system'), /Still running 300 ms after SIGTERM: sent SIGKILL\./);
    });
  }

  for (const { flags, processes, what, escalates } of cases) {
    test(`${name}: cancel: ${what}`, TIMEOUT, async (t) => {
      const marker = uniqueMarker();
      t.after(() => reap(marker));
      const run = collect({ argv: node('tree.js', 'leader', marker, ...flags), usePty }, { graceMs: 300 });
      await waitFor(() => (run.text().match(/started/g) ?? []).length === processes, 10_000, `${processes} processes`);
      const groups = groupsOf(marker);
      assert.equal(groups.size, processes, processesWith(marker).join('\n'));
      const outside = [...groups].filter(([, pgid]) => pgid !== run.job.pid);
      assert.equal(outside.length, flags.includes('--escape') ? 2 : 0, 'processes outside the job group');

      run.job.cancel();
      const result = await run.result;
      assert.equal(result.status, 'canceled');
      assert.equal(result.signal, escalates ? 'SIGKILL' : 'SIGTERM');
      assert.deepEqual(processesWith(marker), []);
      const notes = run.text('system');
      if (escalates) assert.match(notes, /Still running 300 ms after SIGTERM: sent SIGKILL\./);
      else assert.equal(notes, '');
    });
  }

  test(`${name}: cancel at once, before the program has started its children`, TIMEOUT, async (t) => {
    const marker = uniqueMarker();
    t.after(() => reap(marker));
    const run = collect({ argv: node('tree.js', 'leader', marker), usePty }, { graceMs: 300 });
    run.job.cancel();
    assert.equal((await run.result).status, 'canceled');
    assert.deepEqual(processesWith(marker), []);
  });

  test(`${name}: aborting the signal cancels the job`, TIMEOUT, async (t) => {
    const marker = uniqueMarker();
    t.after(() => reap(marker));
    const abort = new AbortController();
    const run = collect({ argv: node('tree.js', 'leader', marker), usePty }, { signal: abort.signal });
    await waitFor(() => (run.text().match(/started/g) ?? []).length === 5, 10_000, '5 processes');
    abort.abort();
    assert.equal((await run.result).status, 'canceled');
    assert.deepEqual(processesWith(marker), []);
  });

  test(`${name}: cancel after the end changes nothing`, TIMEOUT, async () => {
    const run = collect({ argv: node('exit.js', '0'), usePty });
    const result = await run.result;
    run.job.cancel();
    assert.equal(result.status, 'success');
    assert.equal((await run.job.done).status, 'success');
  });
}
