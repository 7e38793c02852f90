// Programs run as a user that file modes apply to. Root reads and writes any file whatever its mode,
// so a test of an unreadable file or a read-only folder proves nothing as root: as root, the
// program runs as the `postgres` user (which Debian's PostgreSQL creates) through runuser; as
// anyone else, as that user.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, lchownSync, lstatSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** The user a program runs as, and how to run one as it. */
export interface Unprivileged {
  name: string;
  uid: number;
  gid: number;
  /** `file args…` as a command line run as this user. */
  command(file: string, args: readonly string[]): [string, string[]];
  /** Gives `target` (and, for a folder, everything in it) to this user, as its own files are. */
  own(target: string): void;
}

const USER = 'postgres';

function owner(uid: number, gid: number): (target: string) => void {
  const own = (target: string): void => {
    lchownSync(target, uid, gid);
    if (lstatSync(target).isDirectory()) for (const name of readdirSync(target)) own(path.join(target, name));
  };
  return own;
}

/** The user, or why there is none: as root without runuser or the `postgres` user. */
export function unprivileged(): Unprivileged | string {
  if (process.getuid?.() !== 0) {
    const [uid, gid] = [process.getuid!(), process.getgid!()];
    return { name: String(uid), uid, gid, command: (file, args) => [file, [...args]], own: owner(uid, gid) };
  }
  if (!['/usr/sbin/runuser', '/usr/bin/runuser', '/sbin/runuser'].some((p) => existsSync(p))) return 'root ignores file modes, and runuser (to run as another user) is missing';
  let ids: number[];
  try {
    ids = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()));
  } catch {
    return `root ignores file modes, and there is no ${USER} user to run as`;
  }
  const [uid, gid] = ids;
  return { name: USER, uid, gid, command: (file, args) => ['runuser', ['-u', USER, '--', file, ...args]], own: owner(uid, gid) };
}

const REPO = path.resolve(__dirname, '../..');

// The user, to run this checkout's code as (callAs, the built hub), or why not: the checkout may
// be in a folder only root may enter (a clone in a `mktemp -d` folder is 0700).
export function unprivilegedInCheckout(): Unprivileged | string {
  const user = unprivileged();
  if (typeof user === 'string') return user;
  const probe = path.join(REPO, 'node_modules', 'tsx', 'package.json');
  const [command, argv] = user.command('test', ['-r', probe]);
  try {
    execFileSync(command, argv, { stdio: 'ignore' });
  } catch {
    return `root ignores file modes, and the ${user.name} user cannot read this checkout (${probe})`;
  }
  return user;
}

// Imports the TypeScript module `file` in a node process of `user`, calls its export `name` with
// `args` and resolves with what that returned, through JSON.
export function callAs<T>(user: Unprivileged, file: string, name: string, args: readonly unknown[]): Promise<T> {
  // A module that tsx loads as CommonJS has its exports under `default`.
  const code = 'import(process.argv[1]).then((m) => (m[process.argv[2]] ?? m.default[process.argv[2]])(...JSON.parse(process.argv[3]))).then((r) => process.stdout.write(JSON.stringify(r)))';
  const [command, argv] = user.command(process.execPath, ['--import', 'tsx', '-e', code, file, name, JSON.stringify(args)]);
  return new Promise((resolve, reject) => {
    execFile(command, argv, { cwd: REPO, timeout: 60_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${name}() as ${user.name} failed: ${stderr || err.message}`, { cause: err }));
      else resolve(JSON.parse(stdout) as T);
    });
  });
}
