// Makes sure the tools the tests run against are on this machine: Debian packages (Chromium,
// PostgreSQL, sshd, build tools), Node 24 and code-server in .vscode-test/. Idempotent and quick
// when everything is there (file checks only, no package manager call).
//
// Usage: node scripts/provision.mjs [--json] [--no-system | --system-only]
//   --json         print the resolved tool paths as JSON on stdout (logs go to stderr)
//   --no-system    skip the Debian package check (only Node 24 and code-server)
//   --system-only  only the Debian packages (CI runs this before `npm ci`, which builds native modules)
// Uses Node built-ins only, so it runs before `npm ci`.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CACHE_DIR = path.join(ROOT, '.vscode-test');
export const NODE24_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';
export const CHROMIUM = '/usr/bin/chromium';
export const SSHD = '/usr/sbin/sshd';

const NODE24_DIR = path.join(CACHE_DIR, 'node24');
const NODE24_PACKAGE = `node-linux-${process.arch}`;
const CODE_SERVER_DIR = path.join(CACHE_DIR, 'code-server');

/** Logs to stderr so `--json` output on stdout stays parseable. */
function log(message) {
  process.stderr.write(`provision: ${message}\n`);
}

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command) {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && isExecutable(path.join(dir, command)));
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The bin folder of Debian's newest PostgreSQL (holding initdb and pg_ctl), or undefined. */
export function postgresBinDir() {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const bin = path.join(base, v, 'bin');
    if (isExecutable(path.join(bin, 'initdb')) && isExecutable(path.join(bin, 'pg_ctl'))) return bin;
  }
  return undefined;
}

function dpkgInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

/** Debian packages the tests need, each with a cheap presence check. */
const DEBIAN_PACKAGES = [
  { name: 'chromium', present: () => isExecutable(CHROMIUM) },
  { name: 'postgresql', present: () => postgresBinDir() !== undefined },
  { name: 'openssh-server', present: () => isExecutable(SSHD) },
  { name: 'libkrb5-dev', present: () => existsSync('/usr/include/krb5.h') || dpkgInstalled('libkrb5-dev') },
  // Login shells of the remote-command tests: ssh hands the command to the user's shell.
  { name: 'fish', present: () => isExecutable('/usr/bin/fish') },
  { name: 'tcsh', present: () => isExecutable('/usr/bin/tcsh') },
  // Native modules (code-server's, node-pty) are built from source at install time.
  { name: 'make', present: () => onPath('make') },
  { name: 'g++', present: () => onPath('g++') },
  { name: 'python3', present: () => onPath('python3') },
];

/** Names of the Debian packages that are not installed. */
export function missingDebianPackages() {
  return DEBIAN_PACKAGES.filter((p) => !p.present()).map((p) => p.name);
}

function run(command, args, options = {}) {
  log(`$ ${command} ${args.join(' ')}${options.cwd ? `   (in ${path.relative(ROOT, options.cwd) || '.'})` : ''}`);
  const r = spawnSync(command, args, { stdio: ['ignore', 2, 2], ...options });
  if (r.error) throw new Error(`${command} could not start: ${r.error.message}`, { cause: r.error });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed with exit code ${r.status ?? r.signal}`);
}

/** Installs missing Debian packages when root; otherwise throws with the command to run. */
export function ensureDebianPackages() {
  const missing = missingDebianPackages();
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    throw new Error(
      `Missing Debian packages: ${missing.join(', ')}. Install them, then run again:\n` +
        `  sudo apt-get install -y ${missing.join(' ')}`,
    );
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update'], { env });
  run('apt-get', ['install', '-y', ...missing], { env });
  const still = missingDebianPackages();
  if (still.length > 0) throw new Error(`Still missing after apt-get install: ${still.join(', ')}`);
}

/**
 * The environment for a nested npm: without the variables an outer `npm run` exports about itself.
 * npm_config_user_agent matters most: code-server's postinstall reads the Node version from it, and the
 * outer npm's says Node 20.
 */
function npmEnv(extraPathDir) {
  const env = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
  for (const key of Object.keys(env)) {
    if (/^npm_(package_|lifecycle_|command$|execpath$|node_execpath$|config_(local_prefix|user_agent|npm_version|node_gyp)$)/i.test(key)) {
      delete env[key];
    }
  }
  delete env.NODE;
  if (extraPathDir) env.PATH = `${extraPathDir}${path.delimiter}${env.PATH ?? ''}`;
  return env;
}

/** Writes `<dir>/package.json` pinning one dependency to an exact version; returns true when it changed. */
function pinPackageJson(dir, name, dependency, version) {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'package.json');
  const current = readJson(file);
  if (current?.dependencies?.[dependency] === version) return false;
  const next = { name, private: true, ...current, dependencies: { ...current?.dependencies, [dependency]: version } };
  writeFileSync(file, `${JSON.stringify(next, null, 2)}\n`);
  return true;
}

function installedVersion(dir, dependency) {
  return readJson(path.join(dir, 'node_modules', dependency, 'package.json'))?.version;
}

/** Node 24 from the npm package node-linux-<arch>, in .vscode-test/node24. Returns the node binary. */
export function ensureNode24() {
  const bin = path.join(NODE24_DIR, 'node_modules', NODE24_PACKAGE, 'bin', 'node');
  pinPackageJson(NODE24_DIR, 'vmo-node24', NODE24_PACKAGE, NODE24_VERSION);
  if (installedVersion(NODE24_DIR, NODE24_PACKAGE) === NODE24_VERSION && isExecutable(bin)) return bin;
  log(`installing Node ${NODE24_VERSION} (${NODE24_PACKAGE}) into ${path.relative(ROOT, NODE24_DIR)}`);
  run('npm', ['install', '--no-audit', '--no-fund'], { cwd: NODE24_DIR, env: npmEnv() });
  if (!isExecutable(bin)) throw new Error(`Node 24 install finished but ${bin} is missing`);
  return bin;
}

function codeServerPaths() {
  const pkgDir = path.join(CODE_SERVER_DIR, 'node_modules', 'code-server');
  const manifest = readJson(path.join(pkgDir, 'package.json'));
  const binRel = typeof manifest?.bin === 'string' ? manifest.bin : (manifest?.bin?.['code-server'] ?? 'out/node/entry.js');
  return { pkgDir, manifest, entry: path.join(pkgDir, binRel) };
}

/** True when code-server's install ran to the end (its postinstall builds the native modules under lib/vscode). */
function codeServerComplete() {
  const { pkgDir, manifest, entry } = codeServerPaths();
  return (
    manifest?.version === CODE_SERVER_VERSION &&
    existsSync(entry) &&
    existsSync(path.join(pkgDir, 'lib', 'vscode', 'out', 'server-main.js')) &&
    existsSync(path.join(pkgDir, 'lib', 'vscode', 'node_modules', '@vscode', 'spdlog', 'build', 'Release', 'spdlog.node'))
  );
}

/** code-server from npm in .vscode-test/code-server, installed with Node 24 first on PATH. Returns its entry script. */
export function ensureCodeServer(node24Bin) {
  pinPackageJson(CODE_SERVER_DIR, 'vmo-code-server', 'code-server', CODE_SERVER_VERSION);
  if (!codeServerComplete()) {
    log(`installing code-server ${CODE_SERVER_VERSION} into ${path.relative(ROOT, CODE_SERVER_DIR)} (about 2 minutes)`);
    run('npm', ['install', '--no-audit', '--no-fund'], { cwd: CODE_SERVER_DIR, env: npmEnv(path.dirname(node24Bin)) });
    if (!codeServerComplete()) throw new Error(`code-server install finished but ${CODE_SERVER_DIR} is incomplete`);
  }
  return codeServerPaths().entry;
}

/**
 * Makes every tool present and returns where they are:
 * { node24Bin, codeServerBin (entry script, run it with node24Bin), chromium, postgresBin, sshd }.
 */
export function provision({ system = true } = {}) {
  if (system) ensureDebianPackages();
  const node24Bin = ensureNode24();
  const codeServerBin = ensureCodeServer(node24Bin);
  return {
    node24Bin,
    codeServerBin,
    chromium: isExecutable(CHROMIUM) ? CHROMIUM : undefined,
    postgresBin: postgresBinDir(),
    sshd: isExecutable(SSHD) ? SSHD : undefined,
  };
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const args = process.argv.slice(2);
  const started = Date.now();
  try {
    if (args.includes('--system-only')) {
      ensureDebianPackages();
      log(`Debian packages present (${Date.now() - started} ms)`);
      process.exit(0);
    }
    const tools = provision({ system: !args.includes('--no-system') });
    if (args.includes('--json')) process.stdout.write(`${JSON.stringify(tools)}\n`);
    else log(`ready in ${Date.now() - started} ms: ${JSON.stringify(tools)}`);
  } catch (err) {
    process.stderr.write(`provision: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
