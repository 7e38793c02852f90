// The history the `history` benchmark reads: 100,000 jobs over six months and about 10 million
// chunk rows, generated inside PostgreSQL (INSERT … SELECT over generate_series, nothing sent over
// the wire) into a database the store has migrated, so the schema and indexes are the product's.
// Two jobs of 1,000,000 lines each: one stored as a flood is (the LineChunker's chunks of
// REPORT_MAX_CHARS, deflated as the hub stores them), one as a slow printer is (a line per chunk,
// 1,000,000 rows).
import pg from 'pg';
import { pack } from '../src/core/store/packedOutput';
import { REPORT_MAX_CHARS } from '../src/shared/hubProtocol';

export const JOBS = 100_000;
export const BIG_LINES = 1_000_000;
/** The start of both big jobs' last line (see bigLine). */
export const BIG_LAST_LINE = `${String(BIG_LINES - 1).padStart(7, '0')} 2026-05-01T12:00:00Z`;
/** Lines of ~100 bytes per flood chunk, as many as fill the LineChunker's chunk. */
const FLOOD_LINES_PER_CHUNK = Math.floor(REPORT_MAX_CHARS / 100);

/** The two 1M-line jobs, and what the load took. */
export interface History {
  flood: { id: string; rows: number };
  oneLine: { id: string; rows: number };
  jobs: number;
  eventRows: number;
  /** A failed job's alias and command word that the filtered page asks for. */
  filter: { status: 'failed'; alias: string; text: string };
  loadMs: Record<string, number>;
}

const FLOOD_ID = '0b5e55ed-0000-4000-8000-000000000001';
const ONE_LINE_ID = '0b5e55ed-0000-4000-8000-000000000002';

const list = (items: readonly string[]): string => `ARRAY[${items.map((s) => `'${s}'`).join(', ')}]`;

const ALIASES = [
  'billing-api', 'web-frontend', 'auth-service', 'search-indexer', 'mobile-gateway', 'payments', 'notifications', 'reporting',
  'data-pipeline', 'inventory', 'catalog', 'checkout', 'shipping', 'user-profile', 'admin-portal', 'analytics', 'mailer',
  'scheduler', 'media-store', 'pricing', 'recommendations', 'ledger', 'fraud-check', 'support-desk', 'crm-sync', 'edge-proxy',
  'feature-flags', 'config-service', 'audit-log', 'image-resizer', 'pdf-render', 'chat-relay', 'geo-lookup', 'tax-engine',
  'loyalty', 'warehouse', 'kiosk', 'docs-site', 'status-page', 'infra-tools',
];
const TARGETS = ['build', 'test', 'deploy', 'lint', 'migrate', 'release', 'package', 'e2e', 'bench', 'clean'];
const ENVIRONMENTS = ['dev', 'qa', 'staging', 'prod'];
const VM_NAMES = ['web-01', 'web-02', 'web-03', 'api-01', 'api-02', 'db-01', 'db-02', 'worker-01', 'worker-02', 'cache-01', 'queue-01', 'batch-01', 'edge-01', 'mon-01', 'build-01'];
const SERVICES = ['nginx', 'postgresql', 'app', 'worker', 'redis', 'haproxy'];
const HOSTS = ['ws-alice', 'ws-bob', 'ws-carol', 'ws-dave', 'ci-runner-1', 'ci-runner-2', 'ci-runner-3', 'laptop-erin', 'laptop-frank', 'build-box', 'ws-grace', 'ws-heidi'];
// Output lines as builds and services print them: compiler steps, test results, warnings with a
// colour code, request logs.
const LINES = [
  'cc -O2 -Wall -c src/module_17.c -o build/module_17.o',
  '\u001b[32m✓\u001b[0m src/orders/orders.test.ts (42 tests) 318ms',
  'GET /api/items/4711 200 in 12 ms user=8812 trace=6f1c2d9e',
  '\u001b[33mwarn\u001b[39m deprecated option --legacy-peer-deps, see docs/build.md:88',
  'Step 7/19 : RUN npm ci --omit=dev && npm cache clean --force',
  'INFO  worker-3 processed batch 88121 (512 records) in 231 ms',
  'migrating 20260114093000_add_invoice_index.sql ... done (1.8 s)',
  'ld: build/app linked, 14.2 MiB, 1288 symbols',
  '\u001b[31mFAIL\u001b[39m tests/integration/payment.spec.ts > refunds > partial refund',
  'rsync: sent 18,433,921 bytes  received 1,022 bytes  6,144,981.00 bytes/sec',
  'nginx: 10.0.4.17 - - "POST /v2/checkout HTTP/1.1" 201 512 "-" "okhttp/4.12"',
  'postgres[2211]: LOG:  checkpoint complete: wrote 1833 buffers (11.2%)',
];

// One output line of the two big jobs, ~100 bytes, numbered; `n` is an SQL integer expression.
const bigLine = (n: string): string =>
  `rpad(lpad((${n})::text, 7, '0') || ' 2026-05-01T12:00:00Z INFO worker-' || (${n}) % 8 || ' GET /api/items/' || (${n}) % 9973 || ' 200 in ' || (${n}) % 97 || ' ms', 98, ' .') || E'\\n'`;

const JOBS_SQL = `
  INSERT INTO jobs (id, kind, mode, title, argv, command, cwd, alias, target, args, vm, hostname, reporter, status,
                    started_at, finished_at, exit_code, signal, duration_ms, last_seq, updated_at)
  SELECT gen_random_uuid(), kind, CASE WHEN kind = 'terminal' THEN 'terminal' ELSE 'console' END,
         CASE kind WHEN 'target' THEN alias || ': ' || target WHEN 'terminal' THEN coalesce(alias, 'shell') ELSE vm END,
         argv, CASE WHEN kind = 'remote-command' THEN array_to_string(argv[1:4], ' ') || ' ''' || argv[5] || '''' ELSE array_to_string(argv, ' ') END,
         CASE WHEN alias IS NULL THEN NULL ELSE '/home/dev/src/' || alias END,
         alias, target, CASE WHEN kind = 'target' THEN ARRAY['ENV=' || env] END, vm, host, 'window-' || (i % 97),
         status, started, CASE WHEN status <> 'running' THEN started + duration END,
         CASE status WHEN 'success' THEN 0 WHEN 'failed' THEN 1 + i % 3 WHEN 'running' THEN NULL ELSE 130 END,
         CASE WHEN status = 'canceled' THEN 'SIGTERM' END,
         CASE WHEN status <> 'running' THEN (extract(epoch FROM duration) * 1000)::bigint END,
         rows - 1, started + duration
  FROM (
    SELECT i, kind, env, alias, target, vm, host, status, started, duration, rows,
           CASE kind
             WHEN 'target' THEN ARRAY['make', '-C', '/home/dev/src/' || alias, target, 'ENV=' || env]
             WHEN 'terminal' THEN ARRAY['/bin/bash', '-l']
             WHEN 'ssh-logs' THEN ARRAY['ssh', '-F', '/home/dev/.ssh/config', split_part(vm, '/', 2), 'journalctl', '-f', '-u', service]
             ELSE ARRAY['ssh', '-F', '/home/dev/.ssh/config', split_part(vm, '/', 2), 'sudo systemctl restart ' || service]
           END AS argv
    FROM (
      SELECT i,
             CASE WHEN r1 < 0.7 THEN 'target' WHEN r1 < 0.8 THEN 'terminal' WHEN r1 < 0.9 THEN 'ssh-logs' ELSE 'remote-command' END AS kind,
             env, (${list(TARGETS)})[1 + (i % ${TARGETS.length})] AS target, service, host,
             CASE WHEN r1 < 0.75 THEN (${list(ALIASES)})[1 + floor(r2 * r2 * ${ALIASES.length})::int] END AS alias,
             CASE WHEN r1 >= 0.8 OR r1 < 0.2 THEN env || '/' || (${list(VM_NAMES)})[1 + (i % ${VM_NAMES.length})] END AS vm,
             CASE WHEN r3 < 0.0005 THEN 'running' WHEN r3 < 0.8 THEN 'success' WHEN r3 < 0.92 THEN 'failed'
                  WHEN r3 < 0.96 THEN 'canceled' ELSE 'interrupted' END AS status,
             date_trunc('milliseconds', now() - r4 * interval '180 days') AS started,
             date_trunc('milliseconds', r5 * r5 * interval '20 minutes') AS duration,
             1 + floor(r6 * r6 * r6 * 360)::int AS rows
      FROM (
        SELECT i, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5, random() AS r6,
               (${list(ENVIRONMENTS)})[1 + (i % ${ENVIRONMENTS.length})] AS env,
               (${list(SERVICES)})[1 + (i % ${SERVICES.length})] AS service,
               (${list(HOSTS)})[1 + (i % ${HOSTS.length})] AS host
        FROM generate_series(1, ${JOBS - 2}) AS i
      ) AS draw
    ) AS job
  ) AS shaped
  ORDER BY started`;

// Each job's chunks, job after job in order of start and each in order of seq, as a hub writes them
// (jobs rarely overlap: one starts every ~2.6 minutes). A quarter of the chunks hold two lines,
// one in 23 is stderr.
const EVENTS_SQL = `
  INSERT INTO job_events (job_id, seq, ts, stream, chunk)
  SELECT j.id, s.seq, j.started_at + s.seq * interval '40 ms', CASE WHEN s.seq % 23 = 7 THEN 'stderr' ELSE 'stdout' END,
         '[' || lpad(s.seq::text, 6, '0') || '] ' || (${list(LINES)})[1 + s.seq % ${LINES.length}] || E'\\n' ||
         CASE WHEN s.seq % 4 = 0 THEN (${list(LINES)})[1 + (s.seq + 5) % ${LINES.length}] || E'\\n' ELSE '' END
  FROM (SELECT id, started_at, last_seq FROM jobs WHERE id NOT IN ('${FLOOD_ID}', '${ONE_LINE_ID}') ORDER BY started_at) AS j,
       LATERAL generate_series(0, j.last_seq) AS s(seq)`;

const BIG_JOB_SQL = (id: string, kind: string, argv: string[], status: string, rows: number) => `
  INSERT INTO jobs (id, kind, mode, title, argv, command, cwd, alias, target, vm, hostname, status, started_at, finished_at,
                    exit_code, duration_ms, last_seq)
  VALUES ('${id}', '${kind}', 'console', '${argv.join(' ')}', ${list(argv)}, '${argv.join(' ')}', '/home/dev/src/billing-api',
          ${kind === 'target' ? "'billing-api', 'build', NULL" : "NULL, NULL, 'prod/web-01'"}, 'ws-alice', '${status}',
          now() - interval '2 hours', now() - interval '1 hour', ${status === 'success' ? 0 : 'NULL'}, 3600000, ${rows - 1})`;

const FLOOD_ROWS = Math.ceil(BIG_LINES / FLOOD_LINES_PER_CHUNK);

const FLOOD_EVENTS_SQL = `
  INSERT INTO job_events (job_id, seq, ts, stream, chunk)
  SELECT '${FLOOD_ID}', c, now() - interval '2 hours' + c * interval '2 ms', 'stdout',
         (SELECT string_agg(${bigLine('n')}, '' ORDER BY n)
            FROM generate_series(c * ${FLOOD_LINES_PER_CHUNK}, least(${BIG_LINES}, (c + 1) * ${FLOOD_LINES_PER_CHUNK}) - 1) AS n)
  FROM generate_series(0, ${FLOOD_ROWS - 1}) AS c`;

const ONE_LINE_EVENTS_SQL = `
  INSERT INTO job_events (job_id, seq, ts, stream, chunk)
  SELECT '${ONE_LINE_ID}', n, now() - interval '2 hours' + n * interval '3 ms', 'stdout', ${bigLine('n')}
  FROM generate_series(0, ${BIG_LINES - 1}) AS n`;

/** Rows of the flood job packed per statement. */
const PACK_ROWS = 100;

// The flood's chunks as the hub stores chunks of their size: generated as text, then deflated.
async function packFlood(client: pg.Client): Promise<void> {
  for (let from = 0; from < FLOOD_ROWS; from += PACK_ROWS) {
    const { rows } = await client.query<{ seq: number; chunk: string }>('SELECT seq, chunk FROM job_events WHERE job_id = $1 AND seq >= $2 AND seq < $3', [FLOOD_ID, from, from + PACK_ROWS]);
    // The last chunk, of a few lines, stays text as it would.
    const packed = rows.flatMap((r) => {
      const stored = pack(r.chunk);
      return 'text' in stored ? [] : [{ seq: r.seq, ...stored }];
    });
    await client.query(
      `UPDATE job_events AS e SET chunk = NULL, packed = u.packed, size = u.size
         FROM unnest($2::integer[], $3::bytea[], $4::integer[]) AS u (seq, packed, size) WHERE e.job_id = $1 AND e.seq = u.seq`,
      [FLOOD_ID, packed.map((p) => p.seq), packed.map((p) => p.packed), packed.map((p) => p.size)],
    );
  }
}

// Fills the migrated, empty database at `url`, jobs in order of start as a hub inserts them (so the
// table's physical order follows started_at, as it does in use). Foreign-key triggers are off while loading
// (session_replication_role = replica, as pg_restore does): every row names a job inserted just
// before. VACUUM ANALYZE afterwards, as autovacuum would do after a bulk load.
export async function loadHistory(url: string): Promise<History> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const loadMs: Record<string, number> = {};
  const timed = async (name: string, sql: string): Promise<void> => {
    const start = performance.now();
    await client.query(sql);
    loadMs[name] = Math.round(performance.now() - start);
  };
  try {
    await client.query(`SET session_replication_role = replica; SET maintenance_work_mem = '256MB'; SELECT setseed(0.42)`);
    await timed('jobs', JOBS_SQL);
    await client.query(BIG_JOB_SQL(FLOOD_ID, 'target', ['make', '-C', '/home/dev/src/billing-api', 'build'], 'success', FLOOD_ROWS));
    await client.query(BIG_JOB_SQL(ONE_LINE_ID, 'ssh-logs', ['ssh', 'web-01', 'journalctl', '-f', '-u', 'nginx'], 'canceled', BIG_LINES));
    await timed('events', EVENTS_SQL);
    await timed('flood_job', FLOOD_EVENTS_SQL);
    const packStart = performance.now();
    await packFlood(client);
    loadMs.flood_job_packing = Math.round(performance.now() - packStart);
    await timed('one_line_job', ONE_LINE_EVENTS_SQL);
    await timed('vacuum_analyze', 'VACUUM ANALYZE jobs, job_events');
    const { rows } = await client.query<{ jobs: string; events: string; alias: string }>(
      `SELECT (SELECT count(*) FROM jobs) AS jobs, (SELECT sum(last_seq + 1) FROM jobs) AS events,
              (SELECT alias FROM jobs WHERE status = 'failed' AND alias IS NOT NULL GROUP BY alias ORDER BY count(*) DESC OFFSET 5 LIMIT 1) AS alias`,
    );
    return {
      flood: { id: FLOOD_ID, rows: FLOOD_ROWS },
      oneLine: { id: ONE_LINE_ID, rows: BIG_LINES },
      jobs: Number(rows[0]!.jobs),
      eventRows: Number(rows[0]!.events),
      filter: { status: 'failed', alias: rows[0]!.alias, text: 'deploy' },
      loadMs,
    };
  } finally {
    await client.end();
  }
}
