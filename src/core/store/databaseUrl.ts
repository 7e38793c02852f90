/** Whether `database` names a PostgreSQL server (a postgres:// or postgresql:// URL) rather than a PGlite folder. */
export const isPostgresUrl = (database: string): boolean => /^postgres(ql)?:\/\//.test(database);

/** A postgres:// URL as it may be shown: user, host, port and database, never a password or parameters. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.username ? `${u.username}@` : ''}${u.host}${u.pathname}`;
  } catch {
    return 'the configured postgres:// URL';
  }
}
