// A real OpenSSH server on 127.0.0.1 for tests, with test users whose login shells differ.
//
// OpenSSH takes a user's home and shell from the passwd entry, so each server creates its own
// users (`useradd`, a `*` password field: sshd without PAM refuses locked accounts) with homes
// in its temp folder, and removes them when it stops. The client side never reads the real
// ~/.ssh: tests pass `-F <configFile>`, whose paths (key, known_hosts) are all in the temp folder.
// Needs root (useradd, sshd's privilege separation) and /usr/sbin/sshd.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, chmodSync, chownSync, constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FIXTURES_DIR } from './paths';
import { removeOnExit, startProcess, type ManagedProcess } from './processes';

export const SSHD_BINARY = '/usr/sbin/sshd';

/** Why the sshd tests cannot run here, or false when they can. */
export const sshdSkip: string | false = ((): string | false => {
  if (process.platform !== 'linux') return 'the sshd harness runs on Linux only';
  if (process.getuid?.() !== 0) return 'the sshd harness needs root (useradd, sshd privilege separation)';
  if (!existsSync(SSHD_BINARY)) return `${SSHD_BINARY} is missing (Debian package openssh-server)`;
  return false;
})();

/** A user of the test server. */
export interface TestUser {
  name: string;
  uid: number;
  shell: string;
}

/** Which known_hosts the client has for the server: its key, another key, or nothing. */
export type KnownHostsState = 'known' | 'changed' | 'unknown';

export interface Sshd {
  readonly port: number;
  /** The temp folder holding keys, configs, homes and `bin/`. */
  readonly dir: string;
  /** The users, in the order of the shells asked for; `users[0]` is the config's default User. */
  readonly users: readonly TestUser[];
  /** The Host alias of the included config file: HostName 127.0.0.1, Port from a `Match host` block. */
  readonly alias: string;
  /** The client config to pass as `ssh -F`. */
  readonly configFile: string;
  readonly knownHostsFile: string;
  /** Folder every test user can read, with copies of the fixture programs; first on their PATH. */
  readonly binDir: string;
  /** Folder every test user can write (mode 1777): log files, markers. */
  readonly scratchDir: string;
  /** Writes the client's known_hosts for this server. */
  writeKnownHosts(state: KnownHostsState): void;
  /** `pid stat args` of the test users' live processes whose command line holds `marker`. */
  processesWith(marker: string): string[];
  /** SIGKILLs the sshd processes serving sessions (those running something with `marker`), as a dropped connection; returns how many. */
  killSessions(marker?: string): number;
  /** sshd's own log (`-e`, LogLevel VERBOSE). */
  log(): string;
  /** Stops the server only (a VM whose sshd is down: connections are refused); sessions and users stay. */
  stopListening(): Promise<void>;
  /** Starts the server again on the same port, with the same keys and users. */
  listenAgain(): Promise<void>;
  /** Stops sshd and every process of its users, removes the users and the temp folder. */
  stop(): Promise<void>;
}

export interface SshdOptions {
  /** Login shells, one test user each; shells missing on this machine are left out. Default dash and bash. */
  shells?: string[];
}

/** Users created by this process and not removed yet: removed when it exits, whatever happens. */
const liveUsers = new Map<string, number>();
process.once('exit', () => {
  for (const [name, uid] of liveUsers) {
    killUserProcessesOnce([uid]);
    removeUser(name);
  }
});

// Starts sshd -D -e on a free port of 127.0.0.1 with fresh keys and users, and waits until it listens.
export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
  if (sshdSkip) throw new Error(sshdSkip);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vmo-sshd-'));
  const forgetDir = removeOnExit(dir);
  const users: TestUser[] = [];
  let server: ManagedProcess | undefined;
  try {
    // Test users must reach their homes, authorized_keys and bin/ in here.
    chmodSync(dir, 0o755);
    // sshd's privilege separation folder; a service would create it, a bare run does not.
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    const binDir = path.join(dir, 'bin');
    mkdirSync(binDir);
    const scratchDir = path.join(dir, 'scratch');
    mkdirSync(scratchDir);
    chmodSync(scratchDir, 0o1777);
    copyFileSync(path.join(FIXTURES_DIR, 'programs', 'tree.js'), path.join(binDir, 'tree.js'));
    for (const name of readdirSync(path.join(FIXTURES_DIR, 'sshd', 'bin'))) {
      copyFileSync(path.join(FIXTURES_DIR, 'sshd', 'bin', name), path.join(binDir, name));
      chmodSync(path.join(binDir, name), 0o755);
    }

    const key = (name: string): { file: string; pub: string } => {
      const file = path.join(dir, name);
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', file], { stdio: 'ignore' });
      return { file, pub: readFileSync(`${file}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ') };
    };
    const hostKey = key('ssh_host_ed25519_key');
    const otherHostKey = key('other_host_ed25519_key');
    const clientKey = key('id_ed25519');
    writeFileSync(path.join(dir, 'authorized_keys'), `${clientKey.pub}\n`, { mode: 0o644 });

    const shells = (options.shells ?? ['/usr/bin/dash', '/usr/bin/bash']).filter(isExecutable);
    if (shells.length === 0) throw new Error(`None of the login shells ${JSON.stringify(options.shells)} is installed`);
    const tag = randomBytes(3).toString('hex');
    for (const shell of shells) {
      const name = `vmo${tag}-${path.basename(shell)}`.slice(0, 32);
      const home = path.join(dir, 'home', name);
      mkdirSync(home, { recursive: true });
      users.push(await addUser(name, home, shell));
      chownSync(home, users[users.length - 1].uid, -1);
    }

    const knownHostsFile = path.join(dir, 'known_hosts');
    const configFile = path.join(dir, 'ssh_config');
    const alias = 'testvm';
    let port = 0;
    const listen = async (): Promise<{ server?: ManagedProcess; output: string }> => {
      const started = startProcess(SSHD_BINARY, ['-D', '-e', '-f', path.join(dir, 'sshd_config'), '-p', String(port)]);
      if (await waitForOutput(started, /Server listening on 127\.0\.0\.1 port \d+/, 10_000)) return { server: started, output: '' };
      const output = started.output();
      await started.stop(500);
      return { output };
    };
    writeFileSync(path.join(dir, 'sshd_config'), sshdConfig(dir, hostKey.file, users));
    for (let attempt = 0; ; attempt++) {
      port = await freePort();
      const started = await listen();
      server = started.server;
      if (server) break;
      if (attempt < 3 && /Address already in use/.test(started.output)) continue;
      throw new Error(`sshd did not start:\n${started.output}`);
    }
    mkdirSync(path.join(dir, 'ssh_config.d'));
    writeFileSync(path.join(dir, 'ssh_config.d', 'vms.conf'), `# The test VM, found through Include.\nHost ${alias}\n  HostName 127.0.0.1\n`);
    writeFileSync(configFile, clientConfig(dir, port, users[0].name, clientKey.file, knownHostsFile));
    writeFileSync(path.join(dir, 'known_hosts_global'), '');

    let sshd = server;
    /** What the servers stopped before this one printed. */
    let earlierLog = '';
    const uids = users.map((u) => u.uid);
    return {
      port,
      dir,
      users,
      alias,
      configFile,
      knownHostsFile,
      binDir,
      scratchDir,
      writeKnownHosts: (state) => {
        const entry = state === 'known' ? hostKey.pub : state === 'changed' ? otherHostKey.pub : undefined;
        writeFileSync(knownHostsFile, entry === undefined ? '' : `[127.0.0.1]:${port} ${entry}\n`);
      },
      processesWith: (marker) =>
        liveProcesses()
          .filter((p) => uids.includes(p.uid) && p.args.includes(marker))
          .map((p) => `${p.pid} ${p.state} ${p.args}`),
      killSessions: (marker) => {
        const table = liveProcesses();
        const sessions = table.filter((p) => users.some((u) => p.args.startsWith(`sshd: ${u.name}@`)));
        const serving = marker === undefined ? sessions : sessions.filter((s) => descendantsIn(table, s.pid).some((p) => p.args.includes(marker)));
        for (const s of serving) signal(s.pid, 'SIGKILL');
        return serving.length;
      },
      log: () => earlierLog + sshd.output(),
      stopListening: async () => {
        earlierLog += sshd.output();
        await sshd.stop(1000);
      },
      listenAgain: async () => {
        const started = await listen();
        if (!started.server) throw new Error(`sshd did not start again on port ${port}:\n${started.output}`);
        sshd = started.server;
      },
      stop: async () => {
        await sshd.stop(1000);
        await killUserProcesses(uids);
        for (const user of users) removeUser(user.name);
        rmSync(dir, { recursive: true, force: true });
        forgetDir();
      },
    };
  } catch (error) {
    await server?.stop(500);
    await killUserProcesses(users.map((u) => u.uid));
    for (const user of users) removeUser(user.name);
    rmSync(dir, { recursive: true, force: true });
    forgetDir();
    throw error;
  }
}

function sshdConfig(dir: string, hostKey: string, users: TestUser[]): string {
  return [
    '# A throwaway sshd for tests: loopback only, keys only, only the test users.',
    'ListenAddress 127.0.0.1',
    `HostKey ${hostKey}`,
    `PidFile ${path.join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
    `AllowUsers ${users.map((u) => u.name).join(' ')}`,
    'UsePAM no',
    // The temp folder and its files are not owned by the users: sshd would refuse them.
    'StrictModes no',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin no',
    'PrintMotd no',
    'PrintLastLog no',
    'X11Forwarding no',
    'AllowTcpForwarding no',
    'AllowAgentForwarding no',
    'MaxStartups 50',
    'LogLevel VERBOSE',
    // bin/ first: print-argv, and a fake docker that answers `docker ps`.
    `SetEnv PATH=${path.join(dir, 'bin')}:/usr/local/bin:/usr/bin:/bin`,
    '',
  ].join('\n');
}

// The client config: the alias comes from an included file, the port from a `Match host` on
// the HostName, user, key and known_hosts from a wildcard block, so ssh's inheritance is used.
function clientConfig(dir: string, port: number, user: string, identityFile: string, knownHostsFile: string): string {
  return [
    '# Client config for the test sshd: pass it as ssh -F.',
    `Include ${path.join(dir, 'ssh_config.d', '*.conf')}`,
    '',
    'Match host 127.0.0.1',
    `  Port ${port}`,
    '',
    'Host *',
    `  User ${user}`,
    `  IdentityFile ${identityFile}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${knownHostsFile}`,
    `  GlobalKnownHostsFile ${path.join(dir, 'known_hosts_global')}`,
    '  HashKnownHosts no',
    '  PasswordAuthentication no',
    '  KbdInteractiveAuthentication no',
    '  ConnectTimeout 5',
    '',
  ].join('\n');
}

/** useradd with a `*` password field; retried while another process holds the passwd lock. */
async function addUser(name: string, home: string, shell: string): Promise<TestUser> {
  for (let attempt = 0; ; attempt++) {
    try {
      execFileSync('useradd', ['--home-dir', home, '--no-create-home', '--shell', shell, '--password', '*', name], { stdio: 'pipe' });
      break;
    } catch (error) {
      if (attempt >= 20) throw error;
      await sleep(100 + Math.random() * 200);
    }
  }
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  liveUsers.set(name, uid);
  return { name, uid, shell };
}

function removeUser(name: string): void {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      // -f: zombies of the user (reparented to an init that does not reap) do not block it.
      execFileSync('userdel', ['-f', name], { stdio: 'pipe' });
      break;
    } catch (error) {
      // 6: no such user; anything else is most likely the passwd lock of a parallel run.
      if ((error as { status?: number }).status === 6) break;
      execFileSync('sleep', ['0.1']);
    }
  }
  liveUsers.delete(name);
}

interface ProcessEntry {
  pid: number;
  ppid: number;
  uid: number;
  state: string;
  args: string;
}

/** Live (non-zombie) processes with owner and command line, from /proc. */
function liveProcesses(): ProcessEntry[] {
  const entries: ProcessEntry[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z' || state === 'X') continue;
      const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${name}/status`, 'latin1'))?.[1]);
      const args = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
      entries.push({ pid: Number(name), ppid: Number(ppid), uid, state, args });
    } catch {
      // It ended while we read.
    }
  }
  return entries;
}

function descendantsIn(table: ProcessEntry[], pid: number): ProcessEntry[] {
  const found: ProcessEntry[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.pop()!;
    for (const entry of table) {
      if (entry.ppid === parent) {
        found.push(entry);
        queue.push(entry.pid);
      }
    }
  }
  return found;
}

/** SIGKILLs every live process of the given users; returns how many there were. */
function killUserProcessesOnce(uids: number[]): number {
  const live = liveProcesses().filter((p) => uids.includes(p.uid));
  for (const p of live) signal(p.pid, 'SIGKILL');
  return live.length;
}

/** SIGKILLs the users' processes until none is left (at most 5 s). */
async function killUserProcesses(uids: number[]): Promise<void> {
  const deadline = Date.now() + 5000;
  while (killUserProcessesOnce(uids) > 0 && Date.now() < deadline) await sleep(50);
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A port free on 127.0.0.1 right now (sshd may still lose a race for it: the caller retries). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Resolves true once the process printed `pattern`, false when it exited or `timeoutMs` passed. */
async function waitForOutput(proc: ManagedProcess, pattern: RegExp, timeoutMs: number): Promise<boolean> {
  let exited = false;
  void proc.exited.then(() => (exited = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (pattern.test(proc.output())) return true;
    if (exited) return false;
    await sleep(20);
  }
  return false;
}
