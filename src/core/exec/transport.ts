// What the job runner needs from a way of running a program: a pseudo-terminal or pipes.

/** Which one ran the job, for its log. */
export type TransportKind = 'pty' | 'pipes';

/** A program to start, never through a shell. */
export interface SpawnRequest {
  file: string;
  args: string[];
  cwd?: string;
  env: NodeJS.ProcessEnv;
  cols: number;
  rows: number;
}

/** How the program ended, reported once its output has been read. */
export interface TransportExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the program could not be started at all (ENOENT, EACCES …). */
  error?: Error;
}

/** What a transport reports; `exit` comes once, after the last `data`. */
export interface TransportEvents {
  data(stream: 'stdout' | 'stderr', bytes: Uint8Array): void;
  exit(exit: TransportExit): void;
}

/** A started program; its pid leads a session and process group of its own. */
export interface Transport {
  readonly kind: TransportKind;
  readonly pid: number | undefined;
  write(data: string): void;
  resize(cols: number, rows: number): void;
}
