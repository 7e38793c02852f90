import type { CatalogProject, CatalogSnapshot, CatalogTarget, CatalogVm } from '../../shared/catalog';
import { cleanText } from '../../shared/schemaFields';
import { isoTime, optionalText } from './jobRows';
import type { StoredProject, StoredVm } from './jobStore';
import type { SqlSession } from './sqlClient';

/** Held while a catalog is written, so that two reports (two windows, two hubs) replace it one after the other. */
const CATALOG_LOCK_KEY = 7_291_003_002;

/** One entry per key, the last one given: one statement cannot upsert the same row twice. */
function lastOfEach<T>(list: readonly T[], key: (item: T) => string): T[] {
  return [...new Map(list.map((item) => [key(item), item])).values()];
}

const cleanProject = (p: CatalogProject): CatalogProject => ({
  alias: cleanText(p.alias),
  dir: cleanText(p.dir),
  ...(p.version === undefined ? {} : { version: p.version }),
  ...(p.targets === undefined ? {} : { targets: lastOfEach(p.targets.map((t) => ({ ...t, name: cleanText(t.name) })), (t) => t.name) }),
});

const cleanVm = (vm: CatalogVm): CatalogVm => ({ ...vm, environment: cleanText(vm.environment), name: cleanText(vm.name) });

// Makes the stored catalog equal to `snapshot`, in the caller's transaction: what it names is
// inserted or updated (a project or VM keeps its id, so jobs stay linked), what it does not name is
// deleted (its jobs keep their rows and names; their link becomes NULL), and jobs that name a
// project or VM now present but are not linked to it — started before it was reported, or while
// it was gone — are linked.
export async function writeCatalog(tx: SqlSession, snapshot: CatalogSnapshot): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [CATALOG_LOCK_KEY]);
  await writeProjects(tx, lastOfEach(snapshot.projects.map(cleanProject), (p) => p.alias));
  await writeVms(tx, lastOfEach(snapshot.vms.map(cleanVm), (vm) => `${vm.environment}/${vm.name}`));
}

async function writeProjects(tx: SqlSession, projects: readonly CatalogProject[]): Promise<void> {
  const aliases = projects.map((p) => p.alias);
  await tx.query(
    `INSERT INTO projects (alias, directory, version, last_synced)
      SELECT alias, directory, version, now() FROM unnest($1::text[], $2::text[], $3::text[]) AS u (alias, directory, version)
      ON CONFLICT (alias) DO UPDATE SET directory = excluded.directory, version = excluded.version, last_synced = excluded.last_synced`,
    [aliases, projects.map((p) => p.dir), projects.map((p) => optionalText(p.version))],
  );
  await tx.query('DELETE FROM projects WHERE alias <> ALL($1::text[])', [aliases]);

  // Only projects whose targets were listed have them replaced.
  const listed = projects.filter((p) => p.targets !== undefined);
  await tx.query('DELETE FROM project_targets t USING projects p WHERE t.project_id = p.id AND p.alias = ANY($1::text[])', [listed.map((p) => p.alias)]);
  const targets = listed.flatMap((p) => p.targets!.map((t, position) => ({ alias: p.alias, position, ...t })));
  await tx.query(
    `INSERT INTO project_targets (project_id, position, name, description)
      SELECT p.id, u.position, u.name, u.description
        FROM unnest($1::text[], $2::integer[], $3::text[], $4::text[]) AS u (alias, position, name, description)
        JOIN projects p ON p.alias = u.alias`,
    [targets.map((t) => t.alias), targets.map((t) => t.position), targets.map((t) => t.name), targets.map((t) => optionalText(t.description))],
  );
  await tx.query('UPDATE jobs j SET project_id = p.id FROM projects p WHERE j.project_id IS NULL AND j.alias = p.alias');
}

async function writeVms(tx: SqlSession, vms: readonly CatalogVm[]): Promise<void> {
  const column = (pick: (vm: CatalogVm) => string | undefined): (string | null)[] => vms.map((vm) => optionalText(pick(vm)));
  const environments = column((vm) => vm.environment);
  const names = column((vm) => vm.name);
  // A VM's reachability is what the newest check found; a report without one keeps it.
  const newer = 'excluded.reachability_checked_at IS NOT NULL AND (vms.reachability_checked_at IS NULL OR excluded.reachability_checked_at >= vms.reachability_checked_at)';
  const keepNewer = (col: string): string => `${col} = CASE WHEN ${newer} THEN excluded.${col} ELSE vms.${col} END`;
  await tx.query(
    `INSERT INTO vms (environment, name, host, user_name, ssh_destination, ssh_config_host, reachable, reachability, reachability_message, reachability_checked_at, last_synced)
      SELECT u.*, now() FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[], $8::text[], $9::text[], $10::timestamptz[]) AS u
      ON CONFLICT (name, environment) DO UPDATE SET host = excluded.host, user_name = excluded.user_name,
        ssh_destination = excluded.ssh_destination, ssh_config_host = excluded.ssh_config_host, last_synced = excluded.last_synced,
        ${['reachable', 'reachability', 'reachability_message', 'reachability_checked_at'].map(keepNewer).join(', ')}`,
    [
      environments,
      names,
      column((vm) => vm.host),
      column((vm) => vm.user),
      column((vm) => vm.sshDestination),
      column((vm) => vm.sshConfigHost),
      vms.map((vm) => vm.reachability?.reachable ?? null),
      column((vm) => vm.reachability?.label),
      column((vm) => vm.reachability?.message),
      vms.map((vm) => (vm.reachability ? isoTime(vm.reachability.checkedAt) : null)),
    ],
  );
  await tx.query(
    `DELETE FROM vms v WHERE NOT EXISTS (
      SELECT 1 FROM unnest($1::text[], $2::text[]) AS u (environment, name) WHERE u.environment = v.environment AND u.name = v.name)`,
    [environments, names],
  );
  // A job names its VM `<environment>/<name>`.
  await tx.query(`UPDATE jobs j SET vm_id = v.id FROM vms v WHERE j.vm_id IS NULL AND j.vm = v.environment || '/' || v.name`);
}

const epoch = (time: Date | string): number => new Date(time).getTime();

/** Every project, by alias (byte order, the same on every backend). */
export async function selectProjects(db: SqlSession): Promise<StoredProject[]> {
  const { rows } = await db.query<{ alias: string; directory: string; version: string | null; last_synced: Date }>(
    'SELECT alias, directory, version, last_synced FROM projects ORDER BY alias COLLATE "C"',
  );
  return rows.map((r) => ({ alias: r.alias, dir: r.directory, ...(r.version === null ? {} : { version: r.version }), lastSynced: epoch(r.last_synced) }));
}

/** A project's targets in listed order; undefined when there is no such project. */
export async function selectTargets(db: SqlSession, alias: string): Promise<CatalogTarget[] | undefined> {
  const { rows } = await db.query<{ name: string | null; description: string | null }>(
    `SELECT t.name, t.description FROM projects p LEFT JOIN project_targets t ON t.project_id = p.id
      WHERE p.alias = $1 ORDER BY t.position`,
    [cleanText(alias)],
  );
  if (rows.length === 0) return undefined;
  return rows.filter((r) => r.name !== null).map((r) => ({ name: r.name!, ...(r.description === null ? {} : { description: r.description }) }));
}

/** Every VM, by environment and name (byte order). */
export async function selectVms(db: SqlSession): Promise<StoredVm[]> {
  const { rows } = await db.query<{
    environment: string;
    name: string;
    host: string;
    user_name: string;
    ssh_destination: string | null;
    ssh_config_host: string | null;
    reachable: boolean | null;
    reachability: string | null;
    reachability_message: string | null;
    reachability_checked_at: Date | null;
    last_synced: Date;
  }>(
    `SELECT environment, name, host, user_name, ssh_destination, ssh_config_host, reachable, reachability, reachability_message, reachability_checked_at, last_synced
      FROM vms ORDER BY environment COLLATE "C", name COLLATE "C"`,
  );
  return rows.map((r) => ({
    environment: r.environment,
    name: r.name,
    host: r.host,
    user: r.user_name,
    ...(r.ssh_destination === null ? {} : { sshDestination: r.ssh_destination }),
    ...(r.ssh_config_host === null ? {} : { sshConfigHost: r.ssh_config_host }),
    ...(r.reachable === null || r.reachability === null || r.reachability_checked_at === null
      ? {}
      : {
          reachability: {
            reachable: r.reachable,
            label: r.reachability,
            ...(r.reachability_message === null ? {} : { message: r.reachability_message }),
            checkedAt: epoch(r.reachability_checked_at),
          },
        }),
    lastSynced: epoch(r.last_synced),
  }));
}
