// A problem found in a user's file: shown as an error or warning item that opens the file there.
export interface Problem {
  severity: 'error' | 'warning';
  /** One sentence a user can act on, without the file name (the item shows that). */
  message: string;
  /** Absolute path of the file the problem is in. */
  file: string;
  /** 1-based line, when known. */
  line?: number;
  /** 1-based column, when known. */
  column?: number;
}

/** "file:line:col" for logs and tooltips. */
export function problemLocation(p: Problem): string {
  let where = p.file;
  if (p.line !== undefined) where += `:${p.line}`;
  if (p.line !== undefined && p.column !== undefined) where += `:${p.column}`;
  return where;
}
