// Discovery of 100 projects of 50 targets each, every alias installed the way mkcli installs
// it. cold_ms: first discovery through the TargetCache (a few aliases at once); warm_ms: the
// same with valid caches; serial_ms: the same `--list-targets` calls one after another.
// Goals: warm_ms <= 20, cold_ms <= 0.6 * serial_ms.
import { execFileSync, execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { readRegistries } from '../src/core/mkcli/registry';
import { TargetCache } from '../src/core/mkcli/targetCache';
import { machine } from './machine';

const PROJECTS = 100;
const TARGETS = 50;
const CONCURRENCY = 4;

const root = mkdtempSync(path.join(os.tmpdir(), 'vmo-bench-discovery-'));
const bin = path.join(root, 'bin');
mkdirSync(bin);
const registryLines: string[] = [];
for (let p = 0; p < PROJECTS; p++) {
  const alias = `proj${p}`;
  const dir = path.join(root, 'projects', alias);
  mkdirSync(dir, { recursive: true });
  const rules = Array.from({ length: TARGETS }, (_, t) => `target-${t}: ## Target ${t}\n\t@echo ${t}\n`).join('\n');
  writeFileSync(path.join(dir, 'Makefile'), `.PHONY: all\n${rules}`);
  // What mkcli installs: a script that lists targets from make's database, else runs make.
  writeFileSync(
    path.join(bin, alias),
    `#!/bin/sh\nif [ "$1" = "--list-targets" ]; then\n  make -C '${dir}' -pRrq : 2>/dev/null | awk -F: '/^# Files/{f=1} f && /^[A-Za-z0-9][^$#\\/\\t=]*:([^=]|$)/ {print $1}' | sort -u\n  exit 0\nfi\nexec make -C '${dir}' "$@"\n`,
  );
  chmodSync(path.join(bin, alias), 0o755);
  registryLines.push(`${alias} ${dir} 0.4.2`);
}
const registryFile = path.join(root, 'registry');
writeFileSync(registryFile, registryLines.join('\n') + '\n');
const env = { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` };

async function discover(cache: TargetCache): Promise<number> {
  const registry = await readRegistries(registryFile, undefined, root);
  const listings = await Promise.all(registry.entries.map((e) => cache.get(e)));
  const total = listings.reduce((n, l) => n + l.targets.length, 0);
  if (total < PROJECTS * TARGETS) throw new Error(`Expected at least ${PROJECTS * TARGETS} targets, got ${total}`);
  return total;
}

async function main(): Promise<void> {
  execFileSync(path.join(bin, 'proj0'), ['--list-targets'], { env }); // warm the page cache

  const serialStart = performance.now();
  const run = promisify(execFile);
  for (let p = 0; p < PROJECTS; p++) await run(`proj${p}`, ['--list-targets'], { env });
  const serialMs = performance.now() - serialStart;

  const cache = new TargetCache(() => ({ env, timeoutMs: 30_000 }), CONCURRENCY);
  const coldStart = performance.now();
  await discover(cache);
  const coldMs = performance.now() - coldStart;

  const warmRuns: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    await discover(cache);
    warmRuns.push(performance.now() - start);
  }
  const warmMs = warmRuns.sort((a, b) => a - b)[2];

  rmSync(root, { recursive: true, force: true });
  const result = {
    bench: 'discovery',
    projects: PROJECTS,
    targets_per_project: TARGETS,
    concurrency: CONCURRENCY,
    cold_ms: Math.round(coldMs),
    warm_ms: Math.round(warmMs * 10) / 10,
    serial_ms: Math.round(serialMs),
    cold_vs_serial: Math.round((coldMs / serialMs) * 100) / 100,
    goals: { warm_ms: 20, cold_vs_serial: 0.6 },
    met: warmMs <= 20 && coldMs <= 0.6 * serialMs,
    machine: machine(),
  };
  console.log(JSON.stringify(result));
}

void main();
