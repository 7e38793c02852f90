// The little that the store needs from a database driver, so that one implementation of the
// queries serves PGlite and pg alike.

/** Rows of a result, and how many rows a write touched. */
export interface SqlResult<Row> {
  rows: Row[];
  rowCount: number;
}

/** Runs statements on one connection (or on a transaction). */
export interface SqlSession {
  /** One statement with `$1 …` parameters. */
  query<Row = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<SqlResult<Row>>;
  /** A script of several statements without parameters (a migration). */
  exec(script: string): Promise<void>;
}

/** A database: sessions, transactions, and an awaited close. */
export interface SqlClient extends SqlSession {
  /** Runs `body` in a transaction on one connection: committed when it resolves, rolled back when it throws. */
  transaction<T>(body: (tx: SqlSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
