// The PGlite folder of a running hub made read-only: the built hub as a process of its own, run as
// a user that file modes apply to (unprivilegedInCheckout(): root writes anyway). PGlite fails at its next new
// WAL segment with a PANIC, after which each statement spun its thread at full CPU for good: the
// hub must say what happened and exit at once, without a retry, and must never have acknowledged
// as stored a chunk it did not store. A hub started again on the read-only folder refuses to open
// it and leaves it as it is: it used to move the folder aside as broken and start an empty history.
// Bounded: at most 60 s of output, about 10 MB a second.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { PgliteJobStore } from '../../../src/core/store/pgliteJobStore';
import { unprivilegedInCheckout } from '../../harness/unprivileged';
import { readAll } from '../store/helpers';
import { connect, newJob, OPERATOR, randomOutput, spawnHub, tempDir, type Client, type HubProcess } from './helpers';

const bundle = path.join(__dirname, '../../../dist/server.js');
const user = unprivilegedInCheckout();
const skip = typeof user === 'string' ? user : !existsSync(bundle) ? 'dist/server.js is not built' : undefined;

const OUTPUT_MS = 60_000;

const temp = tempDir();
let hub: HubProcess | undefined;
let op: Client | undefined;
after(async () => {
  op?.close();
  await hub?.stop(5000);
  chmodTree(temp.dir, (mode) => mode | 0o200);
  temp.remove();
});

/** Changes the mode of `target` and everything in it. */
function chmodTree(target: string, mode: (old: number) => number): void {
  chmodSync(target, mode(statSync(target).mode & 0o7777));
  if (statSync(target).isDirectory()) for (const name of readdirSync(target)) chmodTree(path.join(target, name), mode);
}

test('the PGlite folder made read-only under a running hub: it says so and exits, having acknowledged only what it stored; a new hub leaves the folder as it is', { skip, timeout: 240_000 }, async () => {
  if (typeof user === 'string') return;
  user.own(temp.dir);
  const tokenFile = path.join(temp.dir, 'tokens');
  writeFileSync(tokenFile, `operator ${OPERATOR}\n`, { mode: 0o600 });
  user.own(tokenFile);
  const db = path.join(temp.dir, 'db');
  const hubArgs = ['--token-file', tokenFile, '--database', db, '--port', '0'];
  hub = await spawnHub(hubArgs, 60_000, bundle, user);
  op = await connect(hub.url, { token: OPERATOR, reporter: 'read-only-window', protocol: 2 });
  const job = newJob({ title: 'into a read-only folder' });
  assert.equal((await op.timeout(10_000).emitWithAck('report:started', job)).ok, true);

  const output = randomOutput(op, job.id);
  const { sent } = output;
  // The database's files are open by the time the folder turns read-only: it fails at the next file it creates.
  while (output.storedSeq() < 200) await output.report();
  chmodTree(db, (mode) => mode & ~0o222);
  const readOnlyAt = Date.now();
  let exited: number | string | null | undefined;
  void hub.exited.then((code) => (exited = code));
  const end = Date.now() + OUTPUT_MS;
  await output.reportUntil(() => exited !== undefined || Date.now() >= end);
  const storedSeq = output.storedSeq();
  const code = await Promise.race([hub.exited, new Promise((resolve) => setTimeout(resolve, 15_000, 'still running'))]);
  console.log(`# the hub ended ${Date.now() - readOnlyAt} ms after the folder turned read-only`);
  const log = hub.stderr();
  console.log(`# ${sent.length} chunks sent, ${storedSeq + 1} acknowledged as stored; the hub: ${log.trim().split('\n').join(' | ').slice(0, 600)}`);
  assert.equal(code, 1, 'the hub exited with code 1');
  assert.match(log, /Stopping \(the job store is lost: The embedded database's files cannot be used: PANIC: .+; \S+ cannot be written to \(EACCES\)\)/);
  assert.doesNotMatch(log, /retrying/, 'nothing was retried into a database after its PANIC');
  assert.ok(storedSeq >= 0 && storedSeq < sent.length - 1, `some output, not all, was acknowledged as stored (${storedSeq + 1} of ${sent.length})`);

  // Started again on the folder as it is: refused, with the reason, and nothing moved.
  hub = undefined;
  const refused = await spawnHub(hubArgs, 60_000, bundle, user).then(
    (again) => {
      hub = again;
      return 'started';
    },
    (err: Error) => err.message,
  );
  assert.match(refused, /The job history in \S+ cannot be opened: \S+ cannot be written to \(EACCES\) \(.*\); it was left as it is/);
  assert.deepEqual(readdirSync(temp.dir).filter((name) => name.includes('.broken-')), []);

  // Writable again: every chunk acknowledged as stored is there, as it was sent.
  chmodTree(db, (mode) => mode | 0o200);
  const store = await PgliteJobStore.open({ dir: db });
  try {
    const stored = await readAll(store, job.id);
    assert.ok(stored.length >= storedSeq + 1, `${stored.length} chunks stored, ${storedSeq + 1} acknowledged`);
    assert.deepEqual(stored.slice(0, storedSeq + 1), sent.slice(0, storedSeq + 1));
  } finally {
    await store.close();
  }
});
