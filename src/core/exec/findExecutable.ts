import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';

// Looks a command up on PATH the way execvp does, without a shell, so that "is the alias
// installed?" is answered before anything is spawned.
export async function findExecutable(name: string, pathEnv: string | undefined): Promise<string | undefined> {
  if (name.includes('/')) return (await isExecutableFile(name)) ? name : undefined;
  for (const dir of (pathEnv ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
