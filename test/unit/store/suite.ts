// The one suite every JobStore backend passes: PGlite in memory, PGlite on disk, PostgreSQL.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Chunk, JobInfo, JobResult } from '../../../src/shared/jobs';
import { BatchWriter } from '../../../src/core/store/batchWriter';
import type { JobStore, StoredJob } from '../../../src/core/store/jobStore';
import { findMigrationsDir, loadMigrations, runMigrations } from '../../../src/core/store/migrations';
import { lines, newJob, readAll, recording, sqlOf } from './helpers';

/** How a test file provides its backend. */
export interface Backend {
  /** Starts what the stores need (a server); runs once before the tests. */
  setup?(): Promise<void>;
  /** A new, empty, unmigrated store. */
  open(): Promise<JobStore>;
  /** Runs once after the tests, after every store was closed. */
  teardown?(): Promise<void>;
  /** Set when the backend is not available on this machine. */
  skip?: string;
}

const TIMEOUT = { timeout: 180_000 };

const success = (job: JobInfo, exitCode = 0): JobResult => ({
  status: exitCode === 0 ? 'success' : 'failed',
  exitCode,
  signal: null,
  durationMs: 1234,
  finishedAt: job.startedAt + 1234,
});

const stored = (job: JobInfo, extra: Partial<StoredJob>): StoredJob => ({ ...job, command: job.argv.join(' '), ...extra });

async function count(store: JobStore, sql: string, values: unknown[]): Promise<number> {
  const { rows } = await sqlOf(store).query<{ n: number | string }>(sql, values);
  return Number(rows[0].n);
}

/** Registers the suite for one backend: one store shared by the tests, fresh ones where a test needs an empty database. */
export function storeSuite(name: string, backend: Backend): void {
  describe(name, { skip: backend.skip, timeout: 20 * 60_000 }, () => {
    const opened: JobStore[] = [];
    let store: JobStore;
    const open = async (): Promise<JobStore> => {
      const s = await backend.open();
      opened.push(s);
      await s.migrate();
      return s;
    };

    before(async () => {
      await backend.setup?.();
      store = await open();
    }, TIMEOUT);

    after(async () => {
      for (const s of opened) await s.close();
      await backend.teardown?.();
    }, TIMEOUT);

    test('migrations: recorded, idempotent, each in a transaction; a newer database is refused', TIMEOUT, async () => {
      const db = sqlOf(store);
      const known = await loadMigrations(findMigrationsDir());
      const latest = known[known.length - 1].version;
      assert.deepEqual(await store.migrate(), { applied: [], version: latest });
      const { rows } = await db.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
      assert.deepEqual(rows.map((r) => ({ ...r })), known.map(({ version, name }) => ({ version, name })));
      assert.deepEqual(known.slice(0, 2).map((m) => m.name), ['001_init.sql', '002_catalog.sql']);
      const trigram = await count(store, `SELECT count(*) AS n FROM pg_indexes WHERE indexname = 'jobs_command_trgm_idx'`, []);
      assert.equal(trigram, 1, 'pg_trgm index on jobs.command');

      // A migration that fails half-way leaves nothing behind.
      const broken = { version: latest + 1, name: 'broken.sql', sql: 'CREATE TABLE vmo_half (x int); SELECT 1 / 0;' };
      await assert.rejects(runMigrations(db, [...known, broken]), /division by zero/);
      assert.equal(await count(store, `SELECT count(*) AS n FROM pg_tables WHERE tablename = 'vmo_half'`, []), 0);
      assert.equal(await count(store, 'SELECT count(*) AS n FROM schema_migrations', []), known.length);

      // A later release adds a migration; this one, not knowing it, refuses the database.
      const later = { version: latest + 1, name: 'later.sql', sql: 'CREATE TABLE vmo_later (x int);' };
      assert.deepEqual(await runMigrations(db, [...known, later]), { applied: [latest + 1], version: latest + 1 });
      await assert.rejects(store.migrate(), new RegExp(`schema version ${latest + 1}, newer than the ${latest} this release knows`));
      await db.exec(`DROP TABLE vmo_later; DELETE FROM schema_migrations WHERE version = ${latest + 1};`);
      assert.deepEqual(await store.migrate(), { applied: [], version: latest });
    });

    test('a job from start to end, linked to its project and VM', TIMEOUT, async () => {
      await store.syncCatalog({ projects: [{ alias: 'web', dir: '/old/web' }, { alias: 'api', dir: '/src/api', version: '1.2.0' }], vms: [] });
      await store.syncCatalog({
        projects: [{ alias: 'web', dir: '/src/web', version: '1.3.0' }],
        vms: [{ environment: 'prod', name: 'app1', host: '10.0.0.5', user: 'deploy', sshDestination: 'deploy@10.0.0.5' }],
      });
      const job = newJob({ vm: 'prod/app1', args: ['V=1'] });
      await store.jobStarted(job, 'window-1');
      assert.deepEqual(await store.getJob(job.id), stored(job, { reporter: 'window-1' }));

      const n = await store.appendChunks(job.id, [...lines(0, 3), ...lines(3, 2, 'stderr')]);
      assert.equal(n, 5);
      const result = success(job, 2);
      await store.jobFinished(job.id, result);
      assert.deepEqual(await store.getJob(job.id), stored(job, { ...result, reporter: 'window-1', lastSeq: 4 }));
      assert.deepEqual(await store.readEvents(job.id, 0), [...lines(0, 3), ...lines(3, 2, 'stderr')]);

      // A replayed start changes nothing, not even the status.
      await store.jobStarted(job, 'window-2');
      assert.equal((await store.getJob(job.id))?.status, 'failed');
      // Nor does an end as interrupted (a stale spool's), which ends only a job under way.
      const interrupted = { status: 'interrupted' as const, exitCode: null, signal: null, durationMs: 1, finishedAt: Date.now() };
      await store.jobFinished(job.id, interrupted);
      assert.deepEqual(await store.getJob(job.id), stored(job, { ...result, reporter: 'window-1', lastSeq: 4 }));
      const running = newJob();
      await store.jobStarted(running, 'window-1');
      await store.jobFinished(running.id, interrupted);
      assert.equal((await store.getJob(running.id))?.status, 'interrupted');

      const { rows } = await sqlOf(store).query<{ directory: string; version: string; host: string }>(
        `SELECT p.directory, p.version, v.host FROM jobs j JOIN projects p ON p.id = j.project_id JOIN vms v ON v.id = j.vm_id WHERE j.id = $1`,
        [job.id],
      );
      assert.deepEqual({ ...rows[0] }, { directory: '/src/web', version: '1.3.0', host: '10.0.0.5' });
      assert.equal(await store.getJob('not-a-uuid'), undefined);
      assert.equal(await store.getJob(randomUUID()), undefined);
    });

    test("a job's owner is set by its first start only, read only with getOwnedJob, and no start replaces it", TIMEOUT, async () => {
      const key = Buffer.alloc(32, 7);
      const queued = newJob({ status: 'queued' });
      assert.deepEqual(await store.claimJob(queued, 'window-1', key), { created: true });
      const claimed = await store.claimJob({ ...queued, status: 'running' }, 'window-2', Buffer.alloc(32, 8));
      assert.deepEqual(claimed, { created: false, job: stored(queued, { reporter: 'window-1' }), owner: { keyHash: key, reporter: 'window-1' } });
      await store.jobStarted({ ...queued, status: 'running' }, 'window-2', Buffer.alloc(32, 9));
      assert.deepEqual(await store.getOwnedJob(queued.id), { job: stored(queued, { status: 'running', reporter: 'window-1' }), owner: { keyHash: key, reporter: 'window-1' } });
      assert.equal('keyHash' in (await store.getJob(queued.id))!, false);
      const keyless = newJob();
      await store.jobStarted(keyless);
      assert.deepEqual(await store.claimJob(keyless, 'window-3', key), { created: false, job: stored(keyless, {}), owner: { keyHash: null } });
      assert.equal(await store.getOwnedJob(randomUUID()), undefined);
      assert.equal(await store.getOwnedJob('not-a-uuid'), undefined);
    });

    test('the catalog: synced whole from discovery, targets kept until listed again, jobs linked by alias and VM', TIMEOUT, async () => {
      const fresh = await open();
      const links = async (job: JobInfo): Promise<{ project: string | null; vm: string | null }> => {
        const { rows } = await sqlOf(fresh).query<{ project: string | null; vm: string | null }>(
          `SELECT p.alias AS project, v.environment || '/' || v.name AS vm FROM jobs j
            LEFT JOIN projects p ON p.id = j.project_id LEFT JOIN vms v ON v.id = j.vm_id WHERE j.id = $1`,
          [job.id],
        );
        return { ...rows[0] };
      };
      const app1 = { environment: 'prod', name: 'app1', host: '10.0.0.5', user: 'deploy', sshDestination: 'deploy@10.0.0.5', sshConfigHost: 'prod-*' };
      const app2 = { environment: 'prod', name: 'app2', host: '10.0.0.6', user: 'deploy' };
      const stage = { environment: 'stage', name: 'app1', host: 'stage.internal', user: 'ubuntu' };
      const before = Date.now();
      await fresh.syncCatalog({
        projects: [
          { alias: 'web', dir: '/src/web', version: '1.3.0', targets: [{ name: 'build', description: 'Build it' }, { name: 'test' }, { name: 'build', description: 'twice' }] },
          { alias: 'api', dir: '/src/api', targets: [] },
          { alias: 'ops\u0000', dir: '/src/old-ops' },
          { alias: 'ops', dir: '/src/ops' },
        ],
        vms: [stage, app2, app1],
      });
      const projects = await fresh.listProjects();
      assert.ok(projects.every((p) => p.lastSynced >= before - 5000 && p.lastSynced <= Date.now() + 5000), JSON.stringify(projects));
      assert.deepEqual(projects.map(({ lastSynced: _, ...p }) => p), [
        { alias: 'api', dir: '/src/api' },
        { alias: 'ops', dir: '/src/ops' },
        { alias: 'web', dir: '/src/web', version: '1.3.0' },
      ]);
      assert.deepEqual(await fresh.listTargets('web'), [{ name: 'build', description: 'twice' }, { name: 'test' }]);
      assert.deepEqual(await fresh.listTargets('api'), []);
      assert.deepEqual(await fresh.listTargets('ops'), []);
      assert.equal(await fresh.listTargets('nope'), undefined);
      assert.deepEqual((await fresh.listVms()).map(({ lastSynced: _, ...vm }) => vm), [app1, app2, stage]);

      const webJob = newJob({ alias: 'web', vm: 'prod/app2' });
      const apiJob = newJob({ alias: 'api', vm: 'prod/app1' });
      const early = newJob({ alias: 'later', vm: 'dev/box' });
      for (const job of [webJob, apiJob, early]) await fresh.jobStarted(job);
      assert.deepEqual(await links(webJob), { project: 'web', vm: 'prod/app2' });
      assert.deepEqual(await links(early), { project: null, vm: null });

      // The next report: api and prod/app2 are gone, web's targets were not listed this time,
      // ops's were, and a project and a VM that jobs already named appear.
      await fresh.syncCatalog({
        projects: [
          { alias: 'web', dir: '/home/me/web' },
          { alias: 'ops', dir: '/src/ops', targets: [{ name: 'deploy', description: 'Ship' }] },
          { alias: 'later', dir: '/src/later', targets: [{ name: 'all' }] },
        ],
        vms: [app1, stage, { environment: 'dev', name: 'box', host: '127.0.0.1', user: 'me' }],
      });
      assert.deepEqual((await fresh.listProjects()).map((p) => [p.alias, p.dir, p.version]), [
        ['later', '/src/later', undefined],
        ['ops', '/src/ops', undefined],
        ['web', '/home/me/web', undefined],
      ]);
      assert.deepEqual(await fresh.listTargets('web'), [{ name: 'build', description: 'twice' }, { name: 'test' }]);
      assert.deepEqual(await fresh.listTargets('ops'), [{ name: 'deploy', description: 'Ship' }]);
      assert.equal(await fresh.listTargets('api'), undefined);
      assert.deepEqual((await fresh.listVms()).map((vm) => `${vm.environment}/${vm.name}`), ['dev/box', 'prod/app1', 'stage/app1']);
      assert.deepEqual(await links(webJob), { project: 'web', vm: null });
      assert.deepEqual(await links(apiJob), { project: null, vm: 'prod/app1' });
      assert.deepEqual(await links(early), { project: 'later', vm: 'dev/box' });
      assert.equal((await fresh.getJob(apiJob.id))?.alias, 'api', 'a job keeps the name of a project synced away');
      assert.equal(await count(fresh, 'SELECT count(*) AS n FROM project_targets', []), 4);

      // A project that comes back is linked to its jobs again.
      await fresh.syncCatalog({ projects: [{ alias: 'api', dir: '/src/api' }], vms: [] });
      assert.deepEqual(await links(apiJob), { project: 'api', vm: null });
      assert.deepEqual(await links(webJob), { project: null, vm: null });

      // Two reports at once: the catalog ends as one of them, whole, never a mix.
      const a = { projects: [{ alias: 'a1', dir: '/a', targets: [{ name: 'x' }] }, { alias: 'a2', dir: '/a2' }], vms: [app1] };
      const b = { projects: [{ alias: 'b1', dir: '/b', targets: [{ name: 'x' }] }], vms: [app2, stage] };
      for (let round = 0; round < 5; round++) {
        await Promise.all([fresh.syncCatalog(a), fresh.syncCatalog(b)]);
        const aliases = (await fresh.listProjects()).map((p) => p.alias).join();
        const vms = (await fresh.listVms()).map((vm) => vm.host).join();
        assert.ok((aliases === 'a1,a2' && vms === '10.0.0.5') || (aliases === 'b1' && vms === '10.0.0.6,stage.internal'), `${aliases} ${vms}`);
      }

      await fresh.syncCatalog({ projects: [], vms: [] });
      assert.deepEqual([await fresh.listProjects(), await fresh.listVms()], [[], []]);
      assert.equal(await count(fresh, 'SELECT count(*) AS n FROM project_targets', []), 0);
      assert.equal(await count(fresh, 'SELECT count(*) AS n FROM jobs', []), 3);
    });

    test("a VM's reachability: the newest check is stored, and a report without one keeps it", TIMEOUT, async () => {
      const fresh = await open();
      const vm = { environment: 'prod', name: 'app1', host: '10.0.0.5', user: 'deploy' };
      const reachable = { reachable: true, label: 'reachable in 42 ms', checkedAt: Date.UTC(2026, 11, 4, 10, 0, 0, 123) };
      const refused = { reachable: false, label: 'refused', message: 'ssh: connect to host 10.0.0.5 port 22: Connection refused', checkedAt: reachable.checkedAt + 60_000 };
      const stored = async () => (await fresh.listVms()).map((v) => v.reachability);
      await fresh.syncCatalog({ projects: [], vms: [vm] });
      assert.deepEqual(await stored(), [undefined]);
      await fresh.syncCatalog({ projects: [], vms: [{ ...vm, reachability: reachable }] });
      assert.deepEqual(await stored(), [reachable]);
      await fresh.syncCatalog({ projects: [], vms: [{ ...vm, reachability: refused }] });
      assert.deepEqual(await stored(), [refused]);
      // Another window's older check, and a window that did not check: the newest stays.
      await fresh.syncCatalog({ projects: [], vms: [{ ...vm, reachability: reachable }] });
      await fresh.syncCatalog({ projects: [], vms: [vm] });
      assert.deepEqual(await stored(), [refused]);
    });

    test('replays store each chunk once', TIMEOUT, async () => {
      const job = newJob();
      await store.jobStarted(job);
      assert.equal(await store.appendChunks(job.id, lines(0, 10)), 10);
      assert.equal(await store.appendChunks(job.id, lines(0, 10)), 0);
      // An overlapping replay, with a duplicate inside the same statement.
      assert.equal(await store.appendChunks(job.id, [...lines(5, 10), ...lines(12, 1)]), 5);
      // The same, through the array form of the statement (more than 100 rows).
      assert.equal(await store.appendChunks(job.id, lines(0, 300)), 285);
      assert.equal(await store.appendChunks(job.id, lines(0, 300)), 0);
      assert.deepEqual(await readAll(store, job.id, 97), lines(0, 300));
      assert.equal((await store.getJob(job.id))?.lastSeq, 299);
    });

    test('output stored as text is compressed with lz4 where the server offers it, and reads back whole', TIMEOUT, async () => {
      const db = sqlOf(store);
      const offered = await db.query<{ enumvals: string[] | null }>("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'");
      const methods = offered.rows[0]?.enumvals ?? [];
      const job = newJob();
      await store.jobStarted(job);
      // Large enough to be compressed in place (TOAST compresses a row over about 2 KB), too small to be deflated.
      const chunk: Chunk = { seq: 0, ts: job.startedAt, stream: 'stdout', text: 'cc -O2 -c src/module.c -o build/module.o\n'.repeat(80) };
      await store.appendChunks(job.id, [chunk]);
      const { rows } = await db.query<{ method: string | null }>('SELECT pg_column_compression(chunk) AS method FROM job_events WHERE job_id = $1', [job.id]);
      assert.equal(rows[0].method, methods.includes('lz4') ? 'lz4' : 'pglz');
      assert.deepEqual(await readAll(store, job.id), [chunk]);
    });

    test('large output is stored deflated, not compressed again, and pages by its text size', TIMEOUT, async () => {
      const db = sqlOf(store);
      const job = newJob();
      await store.jobStarted(job);
      const line = (n: number): string => `${String(n).padStart(6, '0')} cc -O2 -c src/module.c -o build/module.o € 😀\n`;
      const output: Chunk[] = [0, 1, 2].map((seq) => ({ seq, ts: job.startedAt, stream: 'stdout', text: Array.from({ length: 400 }, (_, n) => line(seq * 400 + n)).join('') }));
      const small: Chunk = { seq: 3, ts: job.startedAt, stream: 'stderr', text: 'done\n' };
      assert.equal(await store.appendChunks(job.id, [...output, small]), 4);
      const { rows } = await db.query<{ seq: number; chunk: string | null; size: number | null; packed_bytes: number | null; method: string | null }>(
        'SELECT seq, chunk, size, octet_length(packed) AS packed_bytes, pg_column_compression(packed) AS method FROM job_events WHERE job_id = $1 ORDER BY seq',
        [job.id],
      );
      const bytes = Buffer.byteLength(output[0].text);
      assert.deepEqual(rows[0], { seq: 0, chunk: null, size: bytes, packed_bytes: rows[0].packed_bytes, method: null });
      assert.ok(Number(rows[0].packed_bytes) < bytes / 4, `deflated to ${rows[0].packed_bytes} of ${bytes} bytes`);
      assert.deepEqual(rows[3], { seq: 3, chunk: 'done\n', size: null, packed_bytes: null, method: null });
      assert.deepEqual(await readAll(store, job.id), [...output, small]);
      // A page holds what fits in maxBytes of text, counted as the text's size, not the stored size.
      assert.deepEqual(await store.readEvents(job.id, 0, { maxBytes: bytes * 2 }), output.slice(0, 2));
      assert.deepEqual(await store.readEventsBefore(job.id, undefined, { maxBytes: bytes + 5 }), [output[2], small]);
    });

    test('order is kept across many flushes of interleaved jobs', TIMEOUT, async () => {
      const rec = recording(store);
      const writer = new BatchWriter(rec.writes, { maxRows: 10, maxBytes: 2000, maxDelayMs: 5 });
      const jobs = [newJob(), newJob(), newJob()];
      const expected = new Map(jobs.map((j) => [j.id, lines(0, 800, j === jobs[1] ? 'stderr' : 'stdout')]));
      for (const job of jobs) writer.started(job);
      const next = new Map(jobs.map((j) => [j.id, 0]));
      for (let round = 0; [...next.values()].some((n) => n < 800); round++) {
        for (const job of jobs) {
          const from = next.get(job.id)!;
          const size = Math.min(800 - from, 1 + ((round * 7 + from) % 13));
          if (size > 0) writer.chunks(job.id, expected.get(job.id)!.slice(from, from + size));
          next.set(job.id, from + size);
        }
        if (round % 20 === 0) await new Promise((r) => setTimeout(r, 1));
      }
      for (const job of jobs) writer.finished(job.id, success(job));
      await writer.close();
      assert.ok(rec.statements.length >= 240, `${rec.statements.length} statements`);
      for (const statement of rec.statements) {
        const rows = statement.flatMap((b) => b.chunks);
        assert.ok(rows.length <= 10, `${rows.length} rows in one statement`);
        assert.ok(rows.length === 1 || rows.reduce((n, c) => n + c.text.length, 0) <= 2000);
      }
      for (const job of jobs) {
        assert.deepEqual(await readAll(store, job.id), expected.get(job.id));
        assert.equal((await store.getJob(job.id))?.status, 'success');
      }
    });

    test('100,000 chunks through the BatchWriter', TIMEOUT, async () => {
      const rec = recording(store);
      const writer = new BatchWriter(rec.writes);
      const job = newJob();
      writer.started(job);
      const started = performance.now();
      for (let from = 0; from < 100_000; from += 250) writer.chunks(job.id, lines(from, 250));
      await writer.flush();
      const ms = performance.now() - started;
      assert.ok(rec.statements.every((s) => s.flatMap((b) => b.chunks).length <= 1000));
      assert.equal(await count(store, 'SELECT count(*) AS n FROM job_events WHERE job_id = $1', [job.id]), 100_000);
      const { rows } = await sqlOf(store).query<{ gaps: number | string }>(
        'SELECT count(*) AS gaps FROM (SELECT seq - lag(seq) OVER (ORDER BY seq) AS step FROM job_events WHERE job_id = $1) s WHERE step <> 1',
        [job.id],
      );
      assert.equal(Number(rows[0].gaps), 0);
      assert.deepEqual(await store.readEvents(job.id, 99_990), lines(99_990, 10));
      assert.equal((await store.getJob(job.id))?.lastSeq, 99_999);
      console.log(`# ${name}: 100,000 chunks in ${Math.round(ms)} ms, ${rec.statements.length} statements`);
    });

    test('NUL bytes are dropped and invalid UTF-16 is replaced; any other text round-trips', TIMEOUT, async () => {
      const job = newJob({ title: 'odd\u0000title', argv: ['echo', 'a\u0000b', "it's", '{"x":[1]}'] });
      await store.jobStarted(job);
      const texts = [
        'nul\u0000inside\u0000\n',
        'lone \uD800 high and \uDC00 low\n',
        'é€😀 \u2028\u2029\uFFFD\n',
        '\u001b[31mred\u001b[0m\r\nprogress 50%\rprogress 100%\n',
        '"quoted" \\ back\\slash {braces} NULL\n',
        '',
        'x'.repeat(300_000),
      ];
      const cleaned = [
        'nulinside\n',
        'lone \uFFFD high and \uFFFD low\n',
        ...texts.slice(2),
      ];
      // Both forms of the statement: few rows (a parameter per text) and many (one array).
      const few: Chunk[] = texts.map((text, seq) => ({ seq, ts: seq, stream: 'stdout', text }));
      const many: Chunk[] = Array.from({ length: 140 }, (_, i) => ({ seq: 100 + i, ts: i, stream: 'stderr', text: texts[i % texts.length] }));
      assert.equal(await store.appendChunks(job.id, few), texts.length);
      assert.equal(await store.appendChunks(job.id, many), many.length);
      const back = await readAll(store, job.id);
      assert.deepEqual(back.map((c) => c.text), [...cleaned, ...many.map((_, i) => cleaned[i % cleaned.length])]);
      const got = await store.getJob(job.id);
      assert.equal(got?.title, 'oddtitle');
      assert.deepEqual(got?.argv, ['echo', 'ab', "it's", '{"x":[1]}']);
      assert.equal(got?.command, `echo ab 'it'\\''s' '{"x":[1]}'`);
    });

    test('reading output in pages bounded by count and bytes', TIMEOUT, async () => {
      const job = newJob();
      await store.jobStarted(job);
      const chunks: Chunk[] = Array.from({ length: 20 }, (_, seq) => ({ seq, ts: seq, stream: 'stdout', text: `${'é'.repeat(50)}\n` })); // 101 bytes each
      await store.appendChunks(job.id, chunks);
      assert.deepEqual(await store.readEvents(job.id, 3, { limit: 4 }), chunks.slice(3, 7));
      assert.deepEqual(await store.readEvents(job.id, 0, { maxBytes: 303 }), chunks.slice(0, 3));
      assert.deepEqual(await store.readEvents(job.id, 0, { maxBytes: 302 }), chunks.slice(0, 3));
      assert.deepEqual(await store.readEvents(job.id, 0, { maxBytes: 202 }), chunks.slice(0, 2));
      assert.deepEqual(await store.readEvents(job.id, 5, { maxBytes: 1 }), chunks.slice(5, 6), 'at least one chunk');
      assert.deepEqual(await store.readEvents(job.id, 20), []);
      assert.deepEqual(await store.readEvents('nope', 0), []);
    });

    test('reading output backward: the end of a job, or the page before a seq, bounded by count and bytes', TIMEOUT, async () => {
      const job = newJob();
      await store.jobStarted(job);
      const chunks: Chunk[] = Array.from({ length: 20 }, (_, seq) => ({ seq, ts: seq, stream: 'stdout', text: `${'é'.repeat(50)}\n` })); // 101 bytes each
      await store.appendChunks(job.id, chunks);
      assert.deepEqual(await store.readEventsBefore(job.id, undefined), chunks, 'the whole job, in order of seq');
      assert.deepEqual(await store.readEventsBefore(job.id, undefined, { limit: 4 }), chunks.slice(16));
      assert.deepEqual(await store.readEventsBefore(job.id, 10, { limit: 4 }), chunks.slice(6, 10));
      assert.deepEqual(await store.readEventsBefore(job.id, undefined, { maxBytes: 303 }), chunks.slice(17));
      assert.deepEqual(await store.readEventsBefore(job.id, 10, { maxBytes: 202 }), chunks.slice(8, 10));
      assert.deepEqual(await store.readEventsBefore(job.id, 5, { maxBytes: 1 }), chunks.slice(4, 5), 'at least one chunk');
      assert.deepEqual(await store.readEventsBefore(job.id, 2), chunks.slice(0, 2));
      assert.deepEqual(await store.readEventsBefore(job.id, 0), []);
      assert.deepEqual(await store.readEventsBefore(job.id, 1e12, { limit: 1 }), chunks.slice(19), 'a seq past the end is the end');
      assert.deepEqual(await store.readEventsBefore('nope', undefined), []);

      // Scrolling up from the end in pages meets every chunk once, without gaps.
      const seen: Chunk[] = [];
      for (let page = await store.readEventsBefore(job.id, undefined, { limit: 3 }); page.length > 0; page = await store.readEventsBefore(job.id, page[0].seq, { limit: 3 })) {
        seen.unshift(...page);
      }
      assert.deepEqual(seen, chunks);
    });

    test('history: every filter, and cursor pages without repeats or gaps', TIMEOUT, async () => {
      const alias = `list-${randomUUID().slice(0, 8)}`;
      const base = Date.now() - 60_000;
      const jobs: JobInfo[] = [];
      for (let i = 0; i < 57; i++) {
        const job = newJob({
          alias,
          // Groups of three share a start time: the id breaks the tie.
          startedAt: base + Math.floor(i / 3) * 1000,
          kind: i % 5 === 0 ? 'ssh-logs' : 'target',
          vm: i % 4 === 0 ? 'prod/app1' : undefined,
          argv: ['make', i % 6 === 0 ? `deploy_100%_${i}` : `build-${i}`],
        });
        jobs.push(job);
        await store.jobStarted(job);
        if (i % 3 === 1) await store.jobFinished(job.id, success(job, i % 2));
      }
      const newestFirst = [...jobs].sort((a, b) => b.startedAt - a.startedAt || (a.id < b.id ? 1 : -1));
      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listJobs({ alias, limit: 10, cursor });
        pages.push(page.jobs.map((j) => j.id));
        cursor = page.nextCursor;
      } while (cursor);
      assert.deepEqual(pages.map((p) => p.length), [10, 10, 10, 10, 10, 7]);
      assert.deepEqual(pages.flat(), newestFirst.map((j) => j.id));

      const ids = async (query: Parameters<JobStore['listJobs']>[0]): Promise<string[]> => (await store.listJobs({ alias, limit: 500, ...query })).jobs.map((j) => j.id);
      const expect = (keep: (job: JobInfo, i: number) => boolean): string[] => newestFirst.filter((j) => keep(j, jobs.indexOf(j))).map((j) => j.id);
      assert.deepEqual(await ids({ status: 'running' }), expect((_, i) => i % 3 !== 1));
      assert.deepEqual(await ids({ status: ['success', 'failed'] }), expect((_, i) => i % 3 === 1));
      assert.deepEqual(await ids({ status: 'failed' }), expect((_, i) => i % 3 === 1 && i % 2 === 1));
      assert.deepEqual(await ids({ kind: 'ssh-logs' }), expect((_, i) => i % 5 === 0));
      assert.deepEqual(await ids({ vm: 'prod/app1' }), expect((_, i) => i % 4 === 0));
      assert.deepEqual(await ids({ text: '100%_' }), expect((_, i) => i % 6 === 0));
      assert.deepEqual(await ids({ text: 'DEPLOY' }), expect((_, i) => i % 6 === 0));
      assert.deepEqual(await ids({ text: 'build-1' }), expect((_, i) => String(i).startsWith('1') && i % 6 !== 0));
      assert.deepEqual(await ids({ text: '_' }), expect((_, i) => i % 6 === 0), '_ is literal, not a wildcard');
      assert.deepEqual(await ids({ from: base + 5000, to: base + 8000 }), expect((_, i) => i >= 15 && i < 24));
      assert.deepEqual(await ids({ kind: 'target', vm: 'prod/app1', status: 'running' }), expect((_, i) => i % 5 !== 0 && i % 4 === 0 && i % 3 !== 1));
      assert.deepEqual(await store.listJobs({ alias: `${alias}-none` }), { jobs: [] });

      // Pages under a filter: one status (read in order from an index) or several, with the other filters.
      const paged = async (query: Parameters<JobStore['listJobs']>[0]): Promise<string[]> => {
        const seen: string[] = [];
        let next: string | undefined;
        do {
          const page = await store.listJobs({ alias, limit: 4, ...query, cursor: next });
          seen.push(...page.jobs.map((j) => j.id));
          next = page.nextCursor;
        } while (next);
        return seen;
      };
      assert.deepEqual(await paged({ status: 'running' }), expect((_, i) => i % 3 !== 1));
      assert.deepEqual(await paged({ status: ['failed'] }), expect((_, i) => i % 3 === 1 && i % 2 === 1));
      assert.deepEqual(await paged({ status: ['success', 'failed'], text: 'build' }), expect((_, i) => i % 3 === 1 && i % 6 !== 0));
      assert.deepEqual(await paged({ status: 'running', vm: 'prod/app1' }), expect((_, i) => i % 4 === 0 && i % 3 !== 1));
      assert.deepEqual(await ids({ status: [] }), [], 'no status, no job');
      await assert.rejects(store.listJobs({ cursor: 'garbage' }), /Expected a cursor/);
      await assert.rejects(store.listJobs({ limit: 0 }), /Expected a limit/);

      // A job that starts while a reader pages does not shift the pages after it.
      const first = await store.listJobs({ alias, limit: 20 });
      await store.jobStarted(newJob({ alias, startedAt: Date.now() }));
      const second = await store.listJobs({ alias, limit: 20, cursor: first.nextCursor });
      assert.deepEqual(second.jobs.map((j) => j.id), newestFirst.slice(20, 40).map((j) => j.id));
    });

    test('a job that waited for its VM: stored queued, then running from when it began; a replayed queued start changes nothing', TIMEOUT, async () => {
      const job = newJob({ vm: 'prod/app1', status: 'queued' });
      await store.jobStarted(job, 'window-q');
      assert.equal((await store.getJob(job.id))?.status, 'queued');
      assert.deepEqual((await store.listJobs({ status: 'queued' })).jobs.map((j) => j.id), [job.id]);
      const began = job.startedAt + 5000;
      await store.jobStarted({ ...job, status: 'running', startedAt: began }, 'window-q');
      await store.jobStarted(job, 'window-q');
      const running = await store.getJob(job.id);
      assert.deepEqual([running?.status, running?.startedAt], ['running', began]);
      await store.jobFinished(job.id, success(job));
      // A start heard again after the end changes nothing either.
      await store.jobStarted({ ...job, status: 'running' }, 'window-q');
      assert.equal((await store.getJob(job.id))?.status, 'success');

      // Still queued when its window went away: interrupted like a running one; never pruned while queued.
      const fresh = await open();
      const waiting = newJob({ status: 'queued', startedAt: Date.now() - 400 * 24 * 60 * 60_000 });
      await fresh.jobStarted(waiting, 'window-gone');
      assert.equal(await fresh.prune({ maxAgeDays: 30, maxJobs: 0 }), 0);
      assert.equal((await fresh.getJob(waiting.id))?.status, 'queued');
      assert.deepEqual(await fresh.markInterrupted({ reporter: 'window-gone' }), [waiting.id]);
      assert.equal((await fresh.getJob(waiting.id))?.status, 'interrupted');
    });

    test('an environment run: the parent and each VM\'s job, which names it, even when it is stored first', TIMEOUT, async () => {
      const parent = newJob({ kind: 'environment', title: 'web deploy on lab (2 VMs)' });
      const child = newJob({ vm: 'lab/a', parentId: parent.id });
      await store.jobStarted(child, 'window-env');
      await store.jobStarted(parent, 'window-env');
      assert.equal((await store.getJob(child.id))?.parentId, parent.id);
      assert.deepEqual(await store.getJob(parent.id), stored(parent, { reporter: 'window-env' }));
      assert.deepEqual((await store.listJobs({ kind: 'environment' })).jobs.map((j) => j.id), [parent.id]);
    });

    test('the type "terminal" lists every job that ran in a terminal: a target run in one, and a job of kind terminal', TIMEOUT, async () => {
      const alias = `terminal-${randomUUID().slice(0, 8)}`;
      const inTerminal = newJob({ alias, mode: 'terminal', startedAt: Date.now() - 2000 });
      const seedTerminal = newJob({ alias, kind: 'terminal', mode: 'terminal', startedAt: Date.now() - 1000 });
      const inConsole = newJob({ alias });
      for (const job of [inTerminal, seedTerminal, inConsole]) await store.jobStarted(job);
      const ids = async (kind: JobInfo['kind']): Promise<string[]> => (await store.listJobs({ alias, kind })).jobs.map((j) => j.id);
      assert.deepEqual(await ids('terminal'), [seedTerminal.id, inTerminal.id]);
      assert.deepEqual(await ids('target'), [inConsole.id, inTerminal.id]);
    });

    test('a sequence: the parent, with no command of its own, and a step that never ran, stored as skipped', TIMEOUT, async () => {
      const parent = newJob({ kind: 'sequence', title: 'release', argv: [] });
      const skipped = newJob({ parentId: parent.id });
      await store.jobStarted(parent, 'window-seq');
      await store.jobStarted(skipped, 'window-seq');
      const ended = { status: 'skipped' as const, exitCode: null, signal: null, durationMs: 0, finishedAt: skipped.startedAt };
      await store.jobFinished(skipped.id, ended);
      assert.deepEqual(await store.getJob(parent.id), stored(parent, { reporter: 'window-seq' }));
      assert.equal((await store.getJob(skipped.id))?.status, 'skipped');
      assert.deepEqual((await store.listJobs({ status: 'skipped' })).jobs.map((j) => j.id), [skipped.id]);
      assert.deepEqual((await store.listJobs({ kind: 'sequence' })).jobs.map((j) => j.id), [parent.id]);
    });

    test('the errors and warnings found in a job\'s output are stored with its end', TIMEOUT, async () => {
      const job = newJob();
      await store.jobStarted(job, 'window-problems');
      await store.jobFinished(job.id, { ...success(job, 2), errors: 3, warnings: 1 });
      const stored = await store.getJob(job.id);
      assert.deepEqual([stored?.errors, stored?.warnings], [3, 1]);
      const plain = newJob();
      await store.jobStarted(plain, 'window-problems');
      await store.jobFinished(plain.id, success(plain));
      assert.ok(!('errors' in (await store.getJob(plain.id))!), 'no counts when none were taken');
    });

    test('jobs of a window that went away end as interrupted', TIMEOUT, async () => {
      const reporter = `window-${randomUUID()}`;
      const mine = [newJob(), newJob(), newJob()];
      const other = newJob();
      for (const job of mine) await store.jobStarted(job, reporter);
      await store.jobStarted(other, `${reporter}-other`);
      await store.jobFinished(mine[2].id, success(mine[2]));
      const marked = await store.markInterrupted({ reporter });
      assert.deepEqual(marked.sort(), [mine[0].id, mine[1].id].sort());
      const job = await store.getJob(mine[0].id);
      assert.equal(job?.status, 'interrupted');
      assert.ok(job?.finishedAt !== undefined && job.durationMs !== undefined && job.durationMs >= 0);
      assert.equal(job?.exitCode, null);
      assert.equal((await store.getJob(mine[2].id))?.status, 'success');
      assert.equal((await store.getJob(other.id))?.status, 'running');
      assert.deepEqual(await store.markInterrupted({ reporter }), []);

      // Silent for an hour: interrupted by age; one that reported just now is not.
      await sqlOf(store).query(`UPDATE jobs SET updated_at = now() - interval '1 hour' WHERE id = $1`, [other.id]);
      const fresh = newJob();
      await store.jobStarted(fresh, reporter);
      assert.deepEqual(await store.markInterrupted({ olderThanMs: 30 * 60_000 }), [other.id]);
      assert.equal((await store.getJob(fresh.id))?.status, 'running');

      // The window comes back and replays the real end: it wins.
      await store.jobFinished(mine[0].id, success(mine[0], 1));
      assert.equal((await store.getJob(mine[0].id))?.status, 'failed');
    });

    test('deleting a job deletes its output; later output for it is ignored', TIMEOUT, async () => {
      const job = newJob();
      const kept = newJob();
      await store.jobStarted(job);
      await store.jobStarted(kept);
      await store.appendChunks(job.id, lines(0, 50));
      await store.appendChunks(kept.id, lines(0, 5));
      assert.equal(await store.deleteJob(job.id), true);
      assert.equal(await store.getJob(job.id), undefined);
      assert.equal(await count(store, 'SELECT count(*) AS n FROM job_events WHERE job_id = $1', [job.id]), 0);
      assert.equal(await store.deleteJob(job.id), false);
      assert.equal(await store.deleteJob('not-a-uuid'), false);
      assert.equal(await store.appendChunks(job.id, lines(50, 5)), 0);
      assert.deepEqual(await store.readEvents(kept.id, 0), lines(0, 5));
    });

    test('retention deletes old and surplus finished jobs, never running ones', TIMEOUT, async () => {
      const fresh = await open();
      const day = 24 * 60 * 60_000;
      const old = newJob({ startedAt: Date.now() - 40 * day });
      const oldRunning = newJob({ startedAt: Date.now() - 41 * day });
      const recent = Array.from({ length: 5 }, (_, i) => newJob({ startedAt: Date.now() - (5 - i) * 60_000 }));
      for (const job of [old, oldRunning, ...recent]) {
        await fresh.jobStarted(job);
        await fresh.appendChunks(job.id, lines(0, 20));
        if (job !== oldRunning) await fresh.jobFinished(job.id, success(job));
      }
      assert.equal(await fresh.prune({ maxAgeDays: 30 }), 1);
      assert.equal(await fresh.getJob(old.id), undefined);
      assert.equal(await count(fresh, 'SELECT count(*) AS n FROM job_events WHERE job_id = $1', [old.id]), 0);
      assert.equal(await fresh.prune({ maxJobs: 3 }), 2);
      const left = (await fresh.listJobs()).jobs.map((j) => j.id);
      assert.deepEqual(left, [recent[4].id, recent[3].id, recent[2].id, oldRunning.id]);
      assert.equal(await fresh.prune({ maxAgeDays: 30, maxJobs: 3 }), 0);
    });

    test('bad input is refused at once, before anything is queued', TIMEOUT, async () => {
      const writer = new BatchWriter(store);
      assert.throws(() => writer.started(newJob({ id: 'job-1' })), /id: expected a UUID, got "job-1"/);
      assert.throws(() => writer.started(newJob({ kind: 'make' as JobInfo['kind'] })), /kind: expected one of/);
      assert.throws(() => writer.chunks(randomUUID(), [{ seq: -1, ts: 0, stream: 'stdout', text: '' }]), /chunk.seq: expected a whole number/);
      assert.throws(() => writer.chunks(randomUUID(), [{ seq: 0, ts: 0, stream: 'tty' as Chunk['stream'], text: '' }]), /chunk.stream: expected one of/);
      assert.throws(() => writer.finished(randomUUID(), { ...success(newJob()), status: 'running' as JobResult['status'] }), /result.status: expected one of success/);
      await assert.rejects(store.jobStarted(newJob({ startedAt: Number.NaN })), /startedAt: expected a time/);
      assert.deepEqual(writer.pending, { rows: 0, bytes: 0 });
      await writer.close();
      assert.throws(() => writer.started(newJob()), /closed/);
    });
  });
}
