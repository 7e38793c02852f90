// What the benches share: reading their command line, and the median their figures take.

/** The value after `--<name>` on the command line, else `fallback`. */
export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}

/** The item whose `key` is the median (of an even count, the upper of the two middle ones). */
export function medianBy<T>(items: readonly T[], key: (item: T) => number): T {
  return [...items].sort((a, b) => key(a) - key(b))[Math.floor(items.length / 2)]!;
}

/** The value at percentile `p` of values sorted in ascending order; 0 when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function median(values: readonly number[]): number {
  return medianBy(values, (v) => v);
}

/** Runs a benchmark: an error, or a run longer than `timeoutMs`, is printed and exits with 1. */
export function runBench(main: () => Promise<void>, timeoutMs: number): void {
  const fail = (error: unknown): never => {
    console.error(error);
    process.exit(1);
  };
  const timer = setTimeout(() => fail(`The benchmark took longer than ${timeoutMs / 1000} s`), timeoutMs);
  main().then(() => clearTimeout(timer), fail);
}
