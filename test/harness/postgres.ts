// A real PostgreSQL server for tests and benchmarks. With VMO_TEST_DATABASE_URL set, that server
// is used (a database per test file is created on it and dropped after). Otherwise, when Debian's
// PostgreSQL is installed, a throwaway cluster is created in a temp folder, listening on
// 127.0.0.1 and a Unix socket in that folder only, and stopped and removed when the test file
// ends, also on failure, on an interrupt, or — for a run that was killed — at the next start.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { pidAlive } from '../../src/core/util/pidAlive';
import { unprivileged } from './unprivileged';

/** A server the tests may use. */
export interface TestPostgres {
  /** Where the databases live: `VMO_TEST_DATABASE_URL`, or `cluster` for a throwaway one. */
  readonly kind: 'url' | 'cluster';
  /** Creates a new, empty database and returns its URL. */
  createDatabase(): Promise<string>;
  /**
   * Stop (`-m fast`) and start the server again, or freeze it (SIGSTOP of the postmaster and its
   * backends, as a hung machine would be) until the returned function lets it go on (SIGCONT):
   * only for a throwaway cluster.
   */
  readonly control?: { stop(): Promise<void>; start(): Promise<void>; freeze(): () => void };
  /** Drops the databases created (URL), or stops the cluster and removes its folder. */
  close(): Promise<void>;
}

/** How a throwaway cluster is configured. */
export interface TestPostgresOptions {
  /** A throwaway cluster skips fsync unless this is true (benchmarks want real durability). */
  durable?: boolean;
}

const PREFIX = 'vmo-pg-';
const TIMEOUT_MS = 60_000;

/** The bin folder of the newest installed Debian PostgreSQL, or undefined. */
function binDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => path.join(base, v, 'bin')).find((bin) => existsSync(path.join(bin, 'pg_ctl')));
}

/** PostgreSQL refuses to run as root: as root, its tools run as the `postgres` user. */
function asServerUser(file: string, args: string[]): [string, string[]] {
  const user = unprivileged();
  return typeof user === 'string' ? [file, args] : user.command(file, args);
}

function run(file: string, args: string[]): Promise<string> {
  const [command, argv] = asServerUser(file, args);
  return new Promise((resolve, reject) => {
    execFile(command, argv, { timeout: TIMEOUT_MS, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${path.basename(file)} ${args.join(' ')} failed: ${stderr || err.message}`, { cause: err }));
      else resolve(stdout);
    });
  });
}

function runSync(file: string, args: string[]): void {
  const [command, argv] = asServerUser(file, args);
  try {
    execFileSync(command, argv, { timeout: 30_000, stdio: 'ignore' });
  } catch {
    // Not running any more.
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}


/** Stops and removes the clusters of test runs that were killed before they could clean up. */
function sweepLeftovers(bin: string): void {
  for (const name of readdirSync(os.tmpdir())) {
    const owner = new RegExp(`^${PREFIX}(\\d+)-`).exec(name);
    if (!owner || pidAlive(Number(owner[1]))) continue;
    const dir = path.join(os.tmpdir(), name);
    if (existsSync(path.join(dir, 'data', 'postmaster.pid'))) {
      // Left frozen by a freeze() whose test was killed, it would take no stop.
      try {
        signalServer(path.join(dir, 'data'), 'SIGCONT');
      } catch {
        // Not running.
      }
      runSync(path.join(bin, 'pg_ctl'), ['-D', path.join(dir, 'data'), '-m', 'immediate', '-w', 'stop']);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The processes whose parent is `pid`, from /proc. */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children.push(Number(name));
    } catch {
      // It ended meanwhile.
    }
  }
  return children;
}

/** Sends `signal` to the postmaster of `data`, then to each of its processes; returns those it reached. */
function signalServer(data: string, signal: NodeJS.Signals): number[] {
  const postmaster = Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  process.kill(postmaster, signal);
  const reached = [postmaster];
  for (const pid of childrenOf(postmaster)) {
    try {
      process.kill(pid, signal);
      reached.push(pid);
    } catch {
      // It ended meanwhile.
    }
  }
  return reached;
}

// The postmaster is stopped first, so that it forks no backend while the others are being stopped.
// The function returned lets them all go on; calling it again does nothing.
function freezeServer(data: string): () => void {
  let stopped = signalServer(data, 'SIGSTOP');
  return () => {
    for (const pid of stopped) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // It ended meanwhile.
      }
    }
    stopped = [];
  };
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Databases created on `adminUrl`'s server, dropped again by close(). */
function databases(adminUrl: string): Pick<TestPostgres, 'createDatabase'> & { dropAll(): Promise<void> } {
  const created: string[] = [];
  return {
    async createDatabase() {
      const name = `vmo_test_${process.pid}_${created.length + 1}_${Date.now() % 100_000}`;
      await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
      created.push(name);
      return withDatabase(adminUrl, name);
    },
    async dropAll() {
      for (const name of created.splice(0)) await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

async function startCluster(bin: string, options: TestPostgresOptions): Promise<TestPostgres> {
  sweepLeftovers(bin);
  const dir = mkdtempSync(path.join(os.tmpdir(), `${PREFIX}${process.pid}-`));
  const data = path.join(dir, 'data');
  const pgCtl = path.join(bin, 'pg_ctl');
  let running = false;
  /** Lets a frozen server go on: a frozen postmaster would take no stop. */
  let thaw = (): void => undefined;
  const removeSync = (): void => {
    thaw();
    if (running) runSync(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop']);
    running = false;
    rmSync(dir, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    removeSync();
    process.removeListener(signal, onSignal);
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  process.on('exit', removeSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  const unregister = (): void => {
    process.removeListener('exit', removeSync);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeListener(signal, onSignal);
  };

  try {
    const user = unprivileged();
    if (typeof user !== 'string') user.own(dir);
    await run(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
    const port = await freePort();
    const settings = [`-p ${port}`, `-k ${dir}`, '-c listen_addresses=127.0.0.1', '-c max_connections=50'];
    if (!options.durable) settings.push('-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off');
    const start = async (): Promise<void> => {
      try {
        await run(pgCtl, ['-D', data, '-l', path.join(dir, 'server.log'), '-o', settings.join(' '), '-w', '-t', '60', 'start']);
      } catch (err) {
        const log = existsSync(path.join(dir, 'server.log')) ? readFileSync(path.join(dir, 'server.log'), 'utf8').slice(-2000) : '';
        throw new Error(`PostgreSQL did not start: ${(err as Error).message}\n${log}`, { cause: err });
      }
      running = true;
    };
    const stop = async (): Promise<void> => {
      await run(pgCtl, ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
      running = false;
    };
    await start();
    const dbs = databases(`postgres://postgres@127.0.0.1:${port}/postgres`);
    return {
      kind: 'cluster',
      createDatabase: dbs.createDatabase,
      control: { stop, start, freeze: () => (thaw = freezeServer(data)) },
      async close() {
        thaw();
        if (running) await stop().catch(() => undefined);
        removeSync();
        unregister();
      },
    };
  } catch (err) {
    removeSync();
    unregister();
    throw err;
  }
}

/** True when startTestPostgres() has a server to give: a URL, or PostgreSQL installed. */
export function postgresAvailable(): boolean {
  return Boolean(process.env.VMO_TEST_DATABASE_URL) || binDir() !== undefined;
}

// The server for this test file, or undefined when there is none (no URL and no PostgreSQL
// installed): the caller skips its tests then and says why.
export async function startTestPostgres(options: TestPostgresOptions = {}): Promise<TestPostgres | undefined> {
  const url = process.env.VMO_TEST_DATABASE_URL;
  if (url) {
    const dbs = databases(url);
    return { kind: 'url', createDatabase: dbs.createDatabase, close: dbs.dropAll };
  }
  const bin = binDir();
  return bin ? startCluster(bin, options) : undefined;
}

/** Why PostgreSQL tests are skipped on this machine. */
export const NO_POSTGRES = 'no PostgreSQL: set VMO_TEST_DATABASE_URL or install Debian\'s postgresql';
