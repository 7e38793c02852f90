import { readdirSync } from 'node:fs';

/** The pids /proc lists, each a process that was alive a moment ago; undefined where there is no /proc. */
export function procPids(): number[] | undefined {
  try {
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return undefined;
  }
}
