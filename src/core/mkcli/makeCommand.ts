import { existsSync } from 'node:fs';
import path from 'node:path';
import { findExecutable } from '../exec/findExecutable';

/** A program and its arguments, never a shell string. */
export interface Command {
  file: string;
  args: string[];
}

// How mkcli runs make in a project: through `direnv exec` when the folder has an `.envrc` and
// direnv is installed, so the project's environment applies exactly as on the command line.
export async function makeCommand(dir: string, makeArgs: readonly string[], env: NodeJS.ProcessEnv): Promise<Command> {
  const make = ['make', '-C', dir, ...makeArgs];
  if (existsSync(path.join(dir, '.envrc'))) {
    const direnv = await findExecutable('direnv', env.PATH);
    if (direnv) return { file: direnv, args: ['exec', dir, ...make] };
  }
  return { file: make[0], args: make.slice(1) };
}
