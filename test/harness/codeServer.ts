// A real VS Code for the e2e tests: code-server on loopback with isolated state, our extension installed.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { removeOnExit, startProcess, type ManagedProcess } from './processes';
import { ROOT, tools } from './paths';

const execFileAsync = promisify(execFile);

export interface CodeServerOptions {
  /** The folder opened as the workspace. */
  workspace: string;
  /** HOME of code-server and of its extension host (a fixture home). */
  home: string;
  /** Extra user settings, merged over the defaults. */
  settings?: Record<string, unknown>;
  /** Keep Workspace Trust on (the folder then opens in Restricted Mode). Default: trust off. */
  workspaceTrust?: boolean;
  /** Extra environment variables; the extension host inherits them. */
  env?: Record<string, string>;
  /** Install this .vsix instead of copying the built extension from the repository. */
  vsix?: string;
  /** Whether to install vm-orchestrator at all. Default true. */
  installExtension?: boolean;
  /** More unpacked extension folders (each with a package.json) to install next to ours. */
  extraExtensions?: string[];
  /** Port on 127.0.0.1; default: a free one. */
  port?: number;
  /** Milliseconds to wait for the HTTP server. Default 60 s. */
  startTimeoutMs?: number;
  /** Keep the temp state folder after stop (for debugging). Default false. */
  keepState?: boolean;
  /** Use this folder for user data and extensions instead of a temp one (emptied first, kept after stop). */
  stateDir?: string;
}

export interface CodeServer {
  readonly url: string;
  readonly port: number;
  readonly stateDir: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  /** Folder name of our installed extension inside extensionsDir (publisher.name-version). */
  readonly extensionFolder: string;
  readonly process: ManagedProcess;
  /** code-server's own stdout and stderr. */
  output(): string;
  /** Paths of the extension host logs (remoteexthost.log), newest first. */
  extensionHostLogs(): string[];
  /** Writes the machine-scoped settings: those code-server started with, `more` over them. */
  setMachineSettings(more: Record<string, unknown>): void;
  /** Stops code-server and everything it started, then removes its state (unless keepState). */
  stop(): Promise<void>;
}

/** The manifest of the extension under test. */
export function extensionManifest(): { name: string; publisher: string; version: string } {
  return JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; publisher: string; version: string };
}

/** `<publisher>.<name>-<version>` — the folder VS Code loads an extension from. */
export function extensionFolderName(manifest: { name: string; publisher: string; version: string }): string {
  return `${manifest.publisher}.${manifest.name}-${manifest.version}`;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Copies the built extension (package.json, dist/, media/, sql/ and the docs) into `<extensionsDir>/<folder>`. */
export function installBuiltExtension(extensionsDir: string): string {
  const manifest = extensionManifest();
  const folder = extensionFolderName(manifest);
  const main = (manifest as { main?: string }).main;
  if (main && !existsSync(path.join(ROOT, main)) && !existsSync(path.join(ROOT, `${main}.js`))) {
    throw new Error(`${main} is missing: run \`npm run build\` first`);
  }
  const target = path.join(extensionsDir, folder);
  mkdirSync(target, { recursive: true });
  for (const entry of ['package.json', 'dist', 'media', 'sql', 'README.md', 'CHANGELOG.md', 'LICENSE', 'LICENSE.md']) {
    const from = path.join(ROOT, entry);
    if (existsSync(from)) cpSync(from, path.join(target, entry), { recursive: true });
  }
  return folder;
}

/** Copies an unpacked extension folder into extensionsDir under its publisher.name-version. */
export function installExtensionFolder(extensionsDir: string, source: string): string {
  const manifest = JSON.parse(readFileSync(path.join(source, 'package.json'), 'utf8')) as {
    name: string;
    publisher: string;
    version: string;
  };
  const folder = extensionFolderName(manifest);
  cpSync(source, path.join(extensionsDir, folder), { recursive: true });
  return folder;
}

/** The settings every run starts with; tests add theirs on top. */
export function defaultSettings(workspaceTrust: boolean): Record<string, unknown> {
  return {
    'security.workspace.trust.enabled': workspaceTrust,
    'workbench.startupEditor': 'none',
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'workbench.enableExperiments': false,
    'workbench.tips.enabled': false,
    'git.enabled': false,
    // A tree's sticky headers lie over the rows scrolled under them and take the clicks meant for them.
    'workbench.tree.enableStickyScroll': false,
  };
}

// code-server's extension host is a remote one: it reads settings of machine scope (the manifest
// says which) from <user-data>/Machine/settings.json only; in the user's settings it ignores them.
function byScope(settings: Record<string, unknown>): { user: Record<string, unknown>; machine: Record<string, unknown> } {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    contributes: { configuration: { properties: Record<string, { scope?: string }> } | { properties: Record<string, { scope?: string }> }[] };
  };
  const sections = [manifest.contributes.configuration].flat();
  const scopeOf = (key: string): string | undefined => sections.find((section) => key in section.properties)?.properties[key].scope;
  const user: Record<string, unknown> = {};
  const machine: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings)) (scopeOf(key)?.startsWith('machine') ? machine : user)[key] = value;
  return { user, machine };
}

function get(url: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', reject);
  });
}

/** Walks `dir` and returns files named `name`, newest first. */
function findFiles(dir: string, name: string): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === name) found.push(p);
    }
  };
  walk(dir);
  return found.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
}

/** Starts code-server and resolves once its HTTP server answers. */
export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const { node24Bin, codeServerBin } = tools();
  let stateDir: string;
  if (options.stateDir) {
    stateDir = path.resolve(options.stateDir);
    rmSync(stateDir, { recursive: true, force: true });
    mkdirSync(stateDir, { recursive: true });
  } else {
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'vmo-code-server-'));
  }
  const userDataDir = path.join(stateDir, 'user-data');
  const extensionsDir = path.join(stateDir, 'extensions');
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  const temporary = !options.keepState && !options.stateDir;
  const forget = temporary ? removeOnExit(stateDir) : () => undefined;
  const cleanupState = (): void => {
    if (temporary) rmSync(stateDir, { recursive: true, force: true });
    forget();
  };

  try {
    // ssh reads the config of the passwd entry's home, not of $HOME (src/core/ssh/sshHome.ts): a
    // fixture home's config is named, so that ssh and the views read it both.
    const sshConfig = path.join(options.home, '.ssh', 'config');
    const sshSettings = existsSync(sshConfig) ? { 'vmOrchestrator.ssh.configFile': sshConfig } : {};
    const settings = { ...defaultSettings(options.workspaceTrust ?? false), ...sshSettings, ...options.settings };
    const { user, machine } = byScope(settings);
    writeFileSync(path.join(userDataDir, 'User', 'settings.json'), `${JSON.stringify(user, null, 2)}\n`);
    const machineFile = path.join(userDataDir, 'Machine', 'settings.json');
    const setMachineSettings = (more: Record<string, unknown>): void => {
      mkdirSync(path.dirname(machineFile), { recursive: true });
      writeFileSync(machineFile, `${JSON.stringify({ ...machine, ...more }, null, 2)}\n`);
    };
    setMachineSettings({});

    for (const extra of options.extraExtensions ?? []) installExtensionFolder(extensionsDir, extra);

    const manifest = extensionManifest();
    const extensionFolder = extensionFolderName(manifest);
    const port = options.port ?? (await freePort());
    const configFile = path.join(stateDir, 'config.yaml');
    writeFileSync(configFile, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);

    const env: NodeJS.ProcessEnv = { ...process.env };
    // Variables of an enclosing VS Code or npm run would confuse the server or the extension host.
    for (const key of Object.keys(env)) {
      if (/^(VSCODE_|ELECTRON_|npm_)/i.test(key)) delete env[key];
    }
    Object.assign(env, {
      HOME: options.home,
      PATH: `${path.dirname(node24Bin)}${path.delimiter}${process.env.PATH ?? ''}`,
      XDG_CONFIG_HOME: path.join(options.home, '.config'),
      XDG_DATA_HOME: path.join(options.home, '.local', 'share'),
      XDG_CACHE_HOME: path.join(options.home, '.cache'),
      ...options.env,
    });
    const common = ['--config', configFile, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];

    if (options.installExtension !== false) {
      if (options.vsix) {
        await execFileAsync(node24Bin, [codeServerBin, ...common, '--install-extension', options.vsix, '--force'], {
          env,
          timeout: 120_000,
        });
      } else {
        installBuiltExtension(extensionsDir);
      }
    }

    const args = [
      codeServerBin,
      ...common,
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      options.workspace,
    ];
    const proc = startProcess(node24Bin, args, { env, cwd: options.workspace });
    const url = `http://127.0.0.1:${port}/`;

    const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
    let exited: number | NodeJS.Signals | undefined;
    void proc.exited.then((code) => (exited = code));
    for (;;) {
      if (exited !== undefined) {
        await proc.stop();
        throw new Error(`code-server exited (${exited}) before answering:\n${proc.output().slice(-4000)}`);
      }
      try {
        const status = await get(`${url}healthz`, 2000);
        if (status === 200) break;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) {
        await proc.stop();
        throw new Error(`code-server did not answer on ${url} in time:\n${proc.output().slice(-4000)}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }

    return {
      url,
      port,
      stateDir,
      userDataDir,
      extensionsDir,
      extensionFolder,
      process: proc,
      output: () => proc.output(),
      extensionHostLogs: () => findFiles(path.join(userDataDir, 'logs'), 'remoteexthost.log'),
      setMachineSettings,
      stop: async () => {
        await proc.stop();
        await stopHub(userDataDir);
        cleanupState();
      },
    };
  } catch (err) {
    cleanupState();
    throw err;
  }
}

/** The state file of the hub the extension started for the session whose user data is in `userDataDir`. */
function hubStateFile(userDataDir: string): string {
  const { publisher, name } = extensionManifest();
  return path.join(userDataDir, 'User', 'globalStorage', `${publisher}.${name}`, 'hub', 'hub.json');
}

/** The address of the hub the session's extension started, with a token of `role` from its token file; throws until it runs. */
export function sessionHub(userDataDir: string, role: 'viewer' | 'operator' = 'viewer'): { url: string; token: string; pid: number } {
  const state = JSON.parse(readFileSync(hubStateFile(userDataDir), 'utf8')) as { url: string; tokenFile: string; pid: number };
  const token = new RegExp(`^${role}\\s+(\\S+)`, 'm').exec(readFileSync(state.tokenFile, 'utf8'))?.[1];
  if (!token) throw new Error(`No ${role} token in ${state.tokenFile}`);
  return { url: state.url, token, pid: state.pid };
}

// The extension starts its hub detached, so that it outlives a window; a test session's hub
// (found through the state file in the session's global storage) is stopped with the session.
async function stopHub(userDataDir: string): Promise<void> {
  let pid: number;
  try {
    pid = (JSON.parse(readFileSync(hubStateFile(userDataDir), 'utf8')) as { pid: number }).pid;
  } catch {
    return;
  }
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 50; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Gone meanwhile.
  }
}
