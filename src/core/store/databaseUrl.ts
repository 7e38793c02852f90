/** Whether `database` names a PostgreSQL server (a postgres:// or postgresql:// URL) rather than a PGlite folder. */
export const isPostgresUrl = (database: string): boolean => /^postgres(ql)?:\/\//.test(database);
