import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { MigrationReport } from './jobStore';
import type { SqlClient, SqlSession } from './sqlClient';

/** One file of sql/: `NNN_name.sql`, applied in order of NNN. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const FILE = /^(\d+)_[A-Za-z0-9_-]+\.sql$/;
/** Held while migrating, so two hubs starting on one server do not migrate at once. */
const LOCK_KEY = 7_291_003_001;

// The sql/ folder of the extension: the nearest one above this file, which is the repository's
// from src/core/store (tests) and the packaged one from dist/ (the bundled hub).
export function findMigrationsDir(from: string = path.dirname(__filename)): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'sql');
    if (existsSync(path.join(candidate, '001_init.sql'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`No sql/001_init.sql found above ${from}`);
  }
}

// Reads the migrations of `dir`, sorted; a file whose name does not fit NNN_name.sql is an error,
// so that a misnamed migration is not silently skipped.
export async function loadMigrations(dir: string): Promise<Migration[]> {
  const migrations: Migration[] = [];
  for (const name of (await readdir(dir)).filter((n) => n.endsWith('.sql')).sort()) {
    const match = FILE.exec(name);
    if (!match) throw new Error(`Expected migration file names like 001_init.sql, got ${JSON.stringify(name)} in ${dir}`);
    const version = Number(match[1]);
    if (migrations.some((m) => m.version === version)) throw new Error(`Two migrations have version ${version} in ${dir}`);
    migrations.push({ version, name, sql: await readFile(path.join(dir, name), 'utf8') });
  }
  return migrations;
}

/** Takes the migration lock for the transaction and reads the versions applied so far. */
async function lockAndRead(tx: SqlSession): Promise<Set<number>> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
  await tx.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
  const { rows } = await tx.query<{ version: number }>('SELECT version FROM schema_migrations');
  return new Set(rows.map((r) => Number(r.version)));
}

// Applies the migrations the database has not recorded, each in a transaction of its own together
// with its row in schema_migrations. A database that records a version newer than the newest
// known here was migrated by a newer release: it is refused, not guessed at.
export async function runMigrations(db: SqlClient, migrations: readonly Migration[]): Promise<MigrationReport> {
  const latest = Math.max(0, ...migrations.map((m) => m.version));
  const recorded = await db.transaction(lockAndRead);
  const newest = Math.max(0, ...recorded);
  if (newest > latest) {
    throw new Error(`The database is at schema version ${newest}, newer than the ${latest} this release knows: update VM Orchestrator, or use another database`);
  }
  const applied: number[] = [];
  for (const migration of migrations) {
    if (recorded.has(migration.version)) continue;
    const done = await db.transaction(async (tx) => {
      // Another process may have applied it since the first look.
      if ((await lockAndRead(tx)).has(migration.version)) return false;
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      return true;
    });
    if (done) applied.push(migration.version);
  }
  return { applied, version: Math.max(newest, ...applied) };
}
