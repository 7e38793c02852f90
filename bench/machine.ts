import os from 'node:os';

// Which machine a benchmark ran on, printed with every result: figures from different
// machines are not comparable, ratios measured in one run are.
export function machine(): Record<string, string | number> {
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memory_gb: Math.round(os.totalmem() / 2 ** 30),
  };
}
