import type { JobStore } from '../core/store/jobStore';
import type { SqlClient } from '../core/store/sqlClient';

/** A project row as the HTTP API shows it. */
export interface ProjectRow {
  alias: string;
  dir: string;
  version: string | null;
  lastSynced: string;
}

/** A VM row as the HTTP API shows it. */
export interface VmRow {
  environment: string;
  name: string;
  host: string;
  user: string;
  sshDestination: string | null;
  sshConfigHost: string | null;
  lastSynced: string;
}

// Reads the projects and VMs that discovery synced into the store. JobStore has writes for them
// (upsertProjects, upsertVms) but no reads yet, so these read the store's SQL client directly;
// they belong in JobStore (listProjects, listVms) once the store grows them.
const sqlOf = (store: JobStore): SqlClient | undefined => (store as unknown as { db?: SqlClient }).db;

const iso = (v: unknown): string => new Date(v as string | Date).toISOString();

export async function listProjects(store: JobStore): Promise<ProjectRow[]> {
  const db = sqlOf(store);
  if (!db) return [];
  const { rows } = await db.query<{ alias: string; directory: string; version: string | null; last_synced: Date }>(
    'SELECT alias, directory, version, last_synced FROM projects ORDER BY alias',
  );
  return rows.map((r) => ({ alias: r.alias, dir: r.directory, version: r.version, lastSynced: iso(r.last_synced) }));
}

export async function listVms(store: JobStore): Promise<VmRow[]> {
  const db = sqlOf(store);
  if (!db) return [];
  const { rows } = await db.query<{
    environment: string;
    name: string;
    host: string;
    user_name: string;
    ssh_destination: string | null;
    ssh_config_host: string | null;
    last_synced: Date;
  }>('SELECT environment, name, host, user_name, ssh_destination, ssh_config_host, last_synced FROM vms ORDER BY environment, name');
  return rows.map((r) => ({
    environment: r.environment,
    name: r.name,
    host: r.host,
    user: r.user_name,
    sshDestination: r.ssh_destination,
    sshConfigHost: r.ssh_config_host,
    lastSynced: iso(r.last_synced),
  }));
}
