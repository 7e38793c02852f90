// The disk of a running hub's PGlite folder fills up: the built hub as a process of its own, its
// folder on a small tmpfs of its own (needs root and a container that lets it mount one), a file
// taking all but a few MiB of it. Where the space runs out decides what PGlite does:
// - its tables cannot grow (ERROR 53100): every write fails and is retried, once in 5 s at most,
//   each attempt logged; the hub takes next to no CPU, serves reads, acknowledges only what it
//   stored, and stores everything once there is room again.
// - its WAL needs a new segment (16 MiB, PANIC 53100): PGlite cannot go on, and the hub says so
//   and exits, having acknowledged only what it stored.
// Each database starts at a new WAL segment (freshDatabase), so that which comes first does not
// depend on where its WAL happened to be. Bounded: at most 60 s of output each, about 10 MB a second.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PgliteJobStore } from '../../../src/core/store/pgliteJobStore';
import { readAll, sqlOf } from '../store/helpers';
import { connect, get, newJob, OPERATOR, randomOutput, spawnHub, until, VIEWER, type Client, type HubProcess } from './helpers';

const bundle = path.join(__dirname, '../../../dist/server.js');
const MiB = 1024 * 1024;
const OUTPUT_MS = 60_000;

const mounts: string[] = [];
let hub: HubProcess | undefined;
let op: Client | undefined;
after(async () => {
  op?.close();
  await hub?.stop(5000);
  for (const dir of mounts) unmount(dir);
});

function unmount(dir: string): void {
  try {
    execFileSync('umount', [dir], { stdio: 'ignore' });
  } catch {
    // Not mounted.
  }
  rmdirSync(dir);
}

/** A new tmpfs of `size` (e.g. `128m`), or why there can be none here. */
function smallDisk(size: string): string | { why: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vmo-small-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    rmdirSync(dir);
    return { why: `cannot mount a small filesystem here: ${String((err as { stderr?: Buffer }).stderr ?? (err as Error).message).trim()}` };
  }
  mounts.push(dir);
  return dir;
}

const probe = process.getuid?.() === 0 ? smallDisk('1m') : { why: 'mounting a small filesystem needs root' };
const skip = typeof probe !== 'string' ? probe.why : !existsSync(bundle) ? 'dist/server.js is not built' : undefined;

// A job store in `dir` whose WAL has just switched to a new segment, and without the segment that
// PostgreSQL keeps ready for reuse after it: the next segment is created (16 MiB at once) after 16
// MiB of WAL.
async function freshDatabase(dir: string): Promise<void> {
  const store = await PgliteJobStore.open({ dir });
  await store.migrate();
  await sqlOf(store).query('SELECT pg_switch_wal()');
  await store.close();
  const wal = path.join(dir, 'pg_wal');
  const segments = readdirSync(wal).filter((name) => /^[0-9A-F]{24}$/.test(name)).sort();
  for (const spare of segments.slice(1)) rmSync(path.join(wal, spare));
}

/** Takes all but `leave` bytes of the filesystem of `dir` with a file; returns its path. */
function fill(dir: string, leave: number): string {
  const { bavail, bsize } = statfsSync(dir);
  const filler = path.join(dir, 'filler');
  execFileSync('fallocate', ['-l', String(bavail * bsize - leave), filler]);
  return filler;
}

/** CPU time of process `pid` (user + system) in ms, from /proc. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** A hub on a new tmpfs, a job reported to it, and its output. */
async function hubOnSmallDisk(title: string) {
  const disk = smallDisk('128m');
  if (typeof disk !== 'string') throw new Error(disk.why);
  const db = path.join(disk, 'db');
  await freshDatabase(db);
  const tokenFile = path.join(disk, 'tokens');
  writeFileSync(tokenFile, `viewer ${VIEWER}\noperator ${OPERATOR}\n`, { mode: 0o600 });
  hub = await spawnHub(['--token-file', tokenFile, '--database', db, '--port', '0'], 60_000, bundle);
  op = await connect(hub.url, { token: OPERATOR, reporter: 'small-disk-window', protocol: 2 });
  const job = newJob({ title });
  assert.equal((await op.timeout(10_000).emitWithAck('report:started', job)).ok, true);
  const output = randomOutput(op, job.id);
  while (output.storedSeq() < 20) await output.report();
  return { disk, db, job, output, hub };
}

test('the disk fills up under the tables: writes are retried, bounded and logged, without CPU; reads are served; all is stored once there is room', { skip, timeout: 300_000 }, async () => {
  const { disk, db, job, output, hub: h } = await hubOnSmallDisk('onto a full disk');
  const filler = fill(disk, 8 * MiB);
  const end = Date.now() + OUTPUT_MS;
  let full = false;
  const filling = output.reportUntil(() => full || Date.now() >= end);
  await until(() => /No space left on device/.test(h.stderr()), OUTPUT_MS, 'the disk to fill up');
  full = true;
  await filling;
  // Retries back off to one in 5 s; what waits is kept, and nothing more is acknowledged as stored.
  await sleep(6000);
  const storedSeq = output.storedSeq();
  const before = cpuMs(h.child.pid!);
  await sleep(5000);
  const cpu = cpuMs(h.child.pid!) - before;
  const read = await get(h.url, `/api/jobs/${job.id}`);
  const log = h.stderr();
  const attempts = log.match(/Job store write failed \(attempt \d+\), retrying: .*No space left on device/g) ?? [];
  console.log(`# full: ${output.sent.length} chunks sent, ${storedSeq + 1} acknowledged as stored; the hub took ${cpu} ms of CPU in 5 s; ${attempts.length} attempts logged; ${attempts.at(-1)}`);
  assert.ok(cpu < 1500, `the hub took ${cpu} ms of CPU in 5 s while the disk was full`);
  assert.ok(attempts.length >= 3 && attempts.length <= 20, `${attempts.length} failed attempts logged`);
  assert.equal(read.status, 200, 'reads are served');
  assert.equal((read.body.job as { lastSeq?: number }).lastSeq, storedSeq, 'what is acknowledged as stored is what is stored');
  assert.ok(storedSeq < output.sent.length - 1, 'not everything was acknowledged as stored');

  // Room again: what waited is stored, and the job ends.
  rmSync(filler);
  const result = { status: 'success', exitCode: 0, signal: null, durationMs: 1, finishedAt: Date.now() } as const;
  const finished = await op!.timeout(60_000).emitWithAck('report:finished', { jobId: job.id, result });
  assert.deepEqual(finished, { ok: true, storedSeq: output.sent.length - 1 });
  assert.equal(await h.stop(), 0);
  hub = undefined;
  const store = await PgliteJobStore.open({ dir: db });
  try {
    assert.deepEqual(await readAll(store, job.id), output.sent);
    assert.equal((await store.getJob(job.id))?.status, 'success');
  } finally {
    await store.close();
  }
});

test('the disk fills up before the next WAL segment: the hub says so and exits, having acknowledged only what it stored', { skip, timeout: 300_000 }, async () => {
  const { disk, db, job, output, hub: h } = await hubOnSmallDisk('onto a disk with no room for WAL');
  // Room for the tables to grow by as much as one WAL segment holds, not for one more segment then.
  fill(disk, 24 * MiB);
  let exited: number | string | null | undefined;
  void h.exited.then((code) => (exited = code));
  const end = Date.now() + OUTPUT_MS;
  await output.reportUntil(() => exited !== undefined || Date.now() >= end);
  const storedSeq = output.storedSeq();
  const code = await Promise.race([h.exited, sleep(15_000, 'still running')]);
  const log = h.stderr();
  console.log(`# ${output.sent.length} chunks sent, ${storedSeq + 1} acknowledged as stored; the hub: ${log.trim().split('\n').join(' | ').slice(0, 600)}`);
  assert.equal(code, 1, 'the hub exited with code 1');
  // PGlite's own message is one of its WAL file ("could not write to file "pg_wal/xlogtemp…": No
  // space left on device"), or one that tells nothing ("XLogBeginInsert was already called").
  assert.match(log, /Stopping \(the job store is lost: The embedded database's files cannot be used: PANIC: .+; the disk that holds \S+ has \d+\.\d MiB free\)/);
  assert.doesNotMatch(log, /retrying/, 'nothing was retried into a database after its PANIC');
  hub = undefined;

  execFileSync('mount', ['-o', 'remount,size=256m', disk]);
  const store = await PgliteJobStore.open({ dir: db });
  try {
    const stored = await readAll(store, job.id);
    assert.ok(stored.length >= storedSeq + 1, `${stored.length} chunks stored, ${storedSeq + 1} acknowledged`);
    assert.deepEqual(stored.slice(0, storedSeq + 1), output.sent.slice(0, storedSeq + 1));
  } finally {
    await store.close();
  }
});
