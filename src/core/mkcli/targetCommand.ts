import type { Command } from './makeCommand';
import { makeCommand } from './makeCommand';
import { findExecutable } from '../exec/findExecutable';
import { formatCommand } from '../../shared/format';
import { targetError } from './names';
import type { RegistryEntry } from './registry';

/** How a project's targets are run, and why. */
export type TargetRunner =
  | { kind: 'alias'; /** Where the alias was found on PATH. */ executable: string }
  | { kind: 'make'; /** Why not through the alias. */ reason: string };

// A target runs through the mkcli alias only when the alias is on the PATH this process sees,
// which in the extension host is the login shell's; otherwise through make in the project folder.
export async function targetRunner(entry: RegistryEntry, env: NodeJS.ProcessEnv): Promise<TargetRunner> {
  const executable = await findExecutable(entry.alias, env.PATH);
  if (executable) return { kind: 'alias', executable };
  return { kind: 'make', reason: `no \`${entry.alias}\` on the PATH of the login shell` };
}

// The program and arguments that run `target` of a project: the alias itself when mkcli
// installed it (so mkcli's own behaviour holds), else make in the project folder. Throws on a
// target that could be read as an option or as more than one target.
export async function targetCommand(entry: RegistryEntry, target: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Command> {
  const bad = targetError(target);
  if (bad) throw new Error(bad);
  const runner = await targetRunner(entry, env);
  // Spawned by name: PATH resolves it to the executable just found.
  if (runner.kind === 'alias') return { file: entry.alias, args: [target, ...args] };
  // -C would make make announce the folder on every run; the console header already says it.
  return makeCommand(entry.dir, ['--no-print-directory', target, ...args], env);
}

// One sentence for people: the command a target of the project runs (with `<target>` standing for
// the target's name) and why that one.
export async function describeRunner(entry: RegistryEntry, env: NodeJS.ProcessEnv): Promise<string> {
  const runner = await targetRunner(entry, env);
  if (runner.kind === 'alias') return `Runs \`${entry.alias} <target>\` (mkcli alias found at ${runner.executable})`;
  // The placeholder stands where the target goes: quoted, it would read as a word to type.
  return `Runs \`${displayCommand(await makeCommand(entry.dir, [], env))} <target>\`: ${runner.reason}`;
}

/** A command line for people to read or paste, each argument quoted for a POSIX shell. */
export function displayCommand(command: Command): string {
  return formatCommand([command.file, ...command.args]);
}
