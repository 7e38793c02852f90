// Target discovery on real-world Makefiles (test/fixtures/makefiles-real, sources in its
// SOURCES.md): how well reading the makefiles as text agrees with make, and what it costs.
//
// Truth, per fixture: the targets of make's own database, `make -pRrq :` run the safe way the
// extension runs it (no makefile remade, no recipe run; `$(shell …)` evaluated), as parsed by
// parseMakeDatabase: entries of its "# Files" section that are not marked "Not a target", are
// not special or hidden (a leading `.`: .PHONY, .SUFFIXES, .DEFAULT …), not pattern rules (`%`),
// not a makefile make read (MAKEFILE_LIST), and can be passed to make as one target. make's own
// variables (CURDIR, MAKEFLAGS …) are never in that section. Fixtures where make stops with a
// fatal error (an `$(error …)` asking for a tool, say) print no targets and are left out of
// recall and precision; they are named in make_failed.
// static_recall / static_precision: over every (fixture, target) pair of the measured fixtures.
// static_cold_vs_make_serial: 100 projects (the fixtures, cycled) listed by the static reader
// through a cold TargetCache, over make's database run for the same 100 one after another.
// cold_vs_serial: the same 100 projects listed through make's database (the `make` source) by a
// cold TargetCache listing CONCURRENCY at once (the product's default), over make's database run for them one after
// another; on 2 CPUs concurrency has to pay. Measured in ROUNDS alternating rounds (serial, then
// concurrent), summed, so that load from other work on the machine falls on both alike.
// cold_vs_product_serial: the same cold listing over the product's own listing at a concurrency of
// 1, in the same rounds: what concurrency alone gains, apart from what a listing costs.
// cold_floor_vs_serial: the lowest cold_vs_serial the CPUs allow, if concurrency lost no CPU to
// contention: the CPU the serial runs took (this process and every process make started, waited
// for), over what the machine's CPUs could give in their time. make's $(shell …) starts programs
// of its own, so the serial runs already keep more than one CPU busy.
// spawn_speedup: how much faster the machine starts processes with every CPU at it than with one
// (a shell loop starting /bin/true SPAWNS times, alone, then one loop per CPU at once), measured
// in the same rounds. A listing through make is mostly make starting its $(shell …) programs, so
// cold_spawn_limit_vs_serial = 1 / spawn_speedup bounds cold_vs_serial where process creation
// does not scale with CPUs, as in VMs whose page-table updates go through the hypervisor.
// Goals: recall and precision >= 0.97, static_cold_vs_make_serial <= 0.1, cold_vs_serial <= 0.6.
import { execFile, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { makeDatabaseArgs, parseMakeDatabase } from '../src/core/mkcli/makeDatabase';
import { targetError } from '../src/core/mkcli/names';
import type { RegistryEntry } from '../src/core/mkcli/registry';
import { readStaticTargets } from '../src/core/mkcli/staticTargets';
import { TargetCache } from '../src/core/mkcli/targetCache';
import { findMakefile, listTargets } from '../src/core/mkcli/targets';
import { machine } from './machine';

const PROJECTS = 100;
// The product's default for vmOrchestrator.mkcli.discoveryConcurrency.
const manifest = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
const CONCURRENCY: number = manifest.contributes.configuration.properties['vmOrchestrator.mkcli.discoveryConcurrency'].default;
const ROUNDS = 4;
const SPAWNS = 300;
const GOALS = { static_recall: 0.97, static_precision: 0.97, static_cold_vs_make_serial: 0.1, cold_vs_serial: 0.6 };
const corpus = path.join(__dirname, '..', 'test', 'fixtures', 'makefiles-real');
// make runs the fixtures' $(shell …): it does so in copies, never in the repository.
const root = mkdtempSync(path.join(os.tmpdir(), 'vmo-bench-discovery-'));
// pyenv's directories are left off PATH. Fixtures' $(shell …) reach its shims (awx runs
// python3.11), and in some runs a pyenv rehash spun on its lock (it waits up to 60 s) under
// them: the serial listing of those whole runs took 70–79 s against 5 s.
const pathDirs = (process.env.PATH ?? '').split(path.delimiter);
const pathDropped = pathDirs.filter((dir) => /[\\/]\.pyenv[\\/]/.test(dir));
const env = { ...process.env, LC_ALL: 'C', PATH: pathDirs.filter((dir) => !pathDropped.includes(dir)).join(path.delimiter) };

function entry(alias: string, dir: string): RegistryEntry {
  return { alias, dir, file: path.join(root, 'registry'), line: 1 };
}

/** CPU ms of this process and of its children it has waited for (utime, stime, cutime, cstime). */
function cpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  const ticks = fields.slice(11, 15).reduce((n, f) => n + Number(f), 0);
  return (ticks * 1000) / 100;
}

/** How long `body` took, and the CPU it took in this process and its children. */
async function timed(body: () => Promise<void>): Promise<{ ms: number; cpuMs: number }> {
  const [start, cpu] = [performance.now(), cpuMs()];
  await body();
  return { ms: performance.now() - start, cpuMs: cpuMs() - cpu };
}

const run = promisify(execFile);
const SPAWN_LOOP = `i=0; while [ "$i" -lt ${SPAWNS} ]; do /bin/true; i=$((i + 1)); done`;

/** How long one loop of SPAWNS process starts takes alone, and how long `cpus` loops at once take. */
async function spawnScaling(cpus: number): Promise<{ aloneMs: number; parallelMs: number }> {
  const loop = () => run('sh', ['-c', SPAWN_LOOP]);
  const alone = await timed(async () => void (await loop()));
  const parallel = await timed(async () => void (await Promise.all(Array.from({ length: cpus }, loop))));
  return { aloneMs: alone.ms, parallelMs: parallel.ms };
}

interface Measured {
  name: string;
  truth: number;
  found: number;
  missing: string[];
  extra: string[];
}

async function accuracy(fixtures: string[]): Promise<{ measured: Measured[]; failed: string[] }> {
  const measured: Measured[] = [];
  const failed: string[] = [];
  for (const name of fixtures) {
    const dir = path.join(root, 'accuracy', name);
    cpSync(path.join(corpus, name), dir, { recursive: true });
    const makefile = await findMakefile(dir);
    if (!makefile) continue;
    const names = readStaticTargets(dir, makefile, { env }).makefileNames;
    const make = spawnSync('make', ['-C', dir, ...makeDatabaseArgs(names)], { encoding: 'utf8', env, timeout: 60_000, maxBuffer: 256 * 1024 * 1024 });
    const fatal = make.stderr.split('\n').some((l) => /\*\*\* .*Stop\.$/.test(l) && !l.includes("No rule to make target ':'"));
    if (fatal) {
      failed.push(name);
      continue;
    }
    const truth = new Set(parseMakeDatabase(make.stdout, dir).targets.filter((t) => !targetError(t)));
    const listing = await listTargets(entry(name, dir), { env, timeoutMs: 60_000 });
    const found = new Set(listing.targets.map((t) => t.name));
    measured.push({
      name,
      truth: truth.size,
      found: found.size,
      missing: [...truth].filter((t) => !found.has(t)),
      extra: [...found].filter((t) => !truth.has(t)),
    });
  }
  return { measured, failed };
}

async function main(): Promise<void> {
  const fixtures = readdirSync(corpus, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const { measured, failed } = await accuracy(fixtures);
  const truthTotal = measured.reduce((n, m) => n + m.truth, 0);
  const foundTotal = measured.reduce((n, m) => n + m.found, 0);
  const missingTotal = measured.reduce((n, m) => n + m.missing.length, 0);
  const extraTotal = measured.reduce((n, m) => n + m.extra.length, 0);
  const recall = (truthTotal - missingTotal) / truthTotal;
  const precision = (foundTotal - extraTotal) / foundTotal;

  // 100 projects, each a copy of a fixture.
  const projects = Array.from({ length: PROJECTS }, (_, i) => {
    const dir = path.join(root, 'projects', `p${i}`);
    cpSync(path.join(corpus, fixtures[i % fixtures.length]), dir, { recursive: true });
    return entry(`p${i}`, dir);
  });
  spawnSync('make', ['-C', projects[0].dir, '-pRrq', ':'], { env }); // warm the page cache
  // make's database for each project, one after another, as the extension would without concurrency.
  const serial = () =>
    timed(async () => {
      for (const p of projects) {
        const names = readStaticTargets(p.dir, (await findMakefile(p.dir)) ?? '', { env }).makefileNames;
        await run('make', ['-C', p.dir, ...makeDatabaseArgs(names)], { env, maxBuffer: 256 * 1024 * 1024 }).catch(() => undefined);
      }
    });
  // The product: every project listed through make by a cold cache, CONCURRENCY at once.
  const concurrent = () =>
    timed(async () => {
      const cache = new TargetCache(() => ({ env, timeoutMs: 60_000, source: () => 'make' }), CONCURRENCY);
      const listed = await Promise.all(projects.map((p) => cache.get(p)));
      if (listed.some((l) => l.source !== 'make')) throw new Error('Expected every listing to come from make');
    });
  const productSerial = () =>
    timed(async () => {
      const cache = new TargetCache(() => ({ env, timeoutMs: 60_000, source: () => 'make' }), 1);
      await Promise.all(projects.map((p) => cache.get(p)));
    });
  const cpus = os.availableParallelism();
  const serialRuns: { ms: number; cpuMs: number }[] = [];
  const concurrentRuns: { ms: number; cpuMs: number }[] = [];
  const productSerialRuns: { ms: number; cpuMs: number }[] = [];
  const spawnRuns: { aloneMs: number; parallelMs: number }[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    serialRuns.push(await serial());
    concurrentRuns.push(await concurrent());
    productSerialRuns.push(await productSerial());
    spawnRuns.push(await spawnScaling(cpus));
  }
  const sum = (ns: number[]): number => ns.reduce((a, b) => a + b, 0);
  const serialMs = sum(serialRuns.map((r) => r.ms)) / ROUNDS;
  const serialCpuMs = sum(serialRuns.map((r) => r.cpuMs)) / ROUNDS;
  const makeColdMs = sum(concurrentRuns.map((r) => r.ms)) / ROUNDS;
  const productSerialMs = sum(productSerialRuns.map((r) => r.ms)) / ROUNDS;
  const spawnSpeedup = (cpus * sum(spawnRuns.map((r) => r.aloneMs))) / sum(spawnRuns.map((r) => r.parallelMs));

  const cache = new TargetCache(() => ({ env, timeoutMs: 60_000, source: () => 'static' }), CONCURRENCY);
  const coldStart = performance.now();
  const listings = await Promise.all(projects.map((p) => cache.get(p)));
  const coldMs = performance.now() - coldStart;
  if (listings.some((l) => l.source !== 'static')) throw new Error('Expected every listing to come from the static reader');
  const warmRuns: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    await Promise.all(projects.map((p) => cache.get(p)));
    warmRuns.push(performance.now() - start);
  }
  const warmMs = warmRuns.sort((a, b) => a - b)[2];

  rmSync(root, { recursive: true, force: true });
  const round = (n: number, places = 3): number => Math.round(n * 10 ** places) / 10 ** places;
  const result = {
    bench: 'discovery',
    truth: "targets of make's database (make -pRrq, safe mode): not 'Not a target', no leading '.', no '%', not a makefile read; fixtures where make stops with an error are left out",
    fixtures: fixtures.length,
    fixtures_measured: measured.length,
    make_failed: failed,
    truth_targets: truthTotal,
    static_targets: foundTotal,
    static_missing: missingTotal,
    static_extra: extraTotal,
    static_recall: round(recall),
    static_precision: round(precision),
    per_fixture: measured.filter((m) => m.missing.length + m.extra.length > 0).map((m) => ({ name: m.name, truth: m.truth, missing: m.missing.slice(0, 5), extra: m.extra.slice(0, 5) })),
    projects: PROJECTS,
    concurrency: CONCURRENCY,
    path_dropped: pathDropped,
    static_cold_ms: Math.round(coldMs),
    static_warm_ms: round(warmMs, 1),
    make_serial_ms: Math.round(serialMs),
    static_cold_vs_make_serial: round(coldMs / serialMs),
    rounds: ROUNDS,
    serial_ms: serialRuns.map((r) => Math.round(r.ms)),
    cold_ms: concurrentRuns.map((r) => Math.round(r.ms)),
    serial_cpu_ms: serialRuns.map((r) => Math.round(r.cpuMs)),
    cold_cpu_ms: concurrentRuns.map((r) => Math.round(r.cpuMs)),
    cold_vs_serial: round(makeColdMs / serialMs),
    product_serial_ms: productSerialRuns.map((r) => Math.round(r.ms)),
    product_serial_cpu_ms: productSerialRuns.map((r) => Math.round(r.cpuMs)),
    cold_vs_product_serial: round(makeColdMs / productSerialMs),
    cold_floor_vs_serial: round(serialCpuMs / (cpus * serialMs)),
    spawn_alone_ms: spawnRuns.map((r) => Math.round(r.aloneMs)),
    spawn_parallel_ms: spawnRuns.map((r) => Math.round(r.parallelMs)),
    spawn_speedup: round(spawnSpeedup),
    cold_spawn_limit_vs_serial: round(1 / spawnSpeedup),
    goals: GOALS,
    met: recall >= GOALS.static_recall && precision >= GOALS.static_precision && coldMs <= GOALS.static_cold_vs_make_serial * serialMs && makeColdMs <= GOALS.cold_vs_serial * serialMs,
    load_average: os.loadavg().map((n) => round(n, 2)),
    machine: machine(),
  };
  console.log(JSON.stringify(result));
}

void main();
