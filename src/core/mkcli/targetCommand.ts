import type { Command } from './makeCommand';
import { makeCommand } from './makeCommand';
import { findExecutable } from '../exec/findExecutable';
import { quotePosix } from '../exec/quotePosix';
import { targetError } from './names';
import type { RegistryEntry } from './registry';

// The program and arguments that run `target` of a project: the alias itself when mkcli
// installed it (so mkcli's own behaviour holds), else make in the project folder. Throws on a
// target that could be read as an option or as more than one target.
export async function targetCommand(entry: RegistryEntry, target: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Command> {
  const bad = targetError(target);
  if (bad) throw new Error(bad);
  const alias = await findExecutable(entry.alias, env.PATH);
  // Spawned by name: PATH resolves it to the executable just found.
  if (alias) return { file: entry.alias, args: [target, ...args] };
  // -C would make make announce the folder on every run; the console header already says it.
  return makeCommand(entry.dir, ['--no-print-directory', target, ...args], env);
}

/** A command line for people to read or paste, each argument quoted for a POSIX shell. */
export function displayCommand(command: Command): string {
  return [command.file, ...command.args].map(quotePosix).join(' ');
}
