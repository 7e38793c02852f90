import { promises as fs } from 'node:fs';
import path from 'node:path';
import { expandGlob } from './glob';

/** File names vm-config reads in each environments/<env>/ folder. */
export const ENVIRONMENT_FILE_NAMES = ['config.yml', 'config.yaml'] as const;

// Lists every environments/<env>/config.yml (or .yaml) under each workspace root, plus the files
// matched by extra glob patterns (absolute, or relative to each root). Sorted, without duplicates.
export async function findEnvironmentFiles(roots: string[], extraGlobs: string[] = []): Promise<string[]> {
  const found = new Set<string>();
  for (const root of roots) {
    const environments = path.join(path.resolve(root), 'environments');
    for (const env of await subfolders(environments)) {
      for (const name of ENVIRONMENT_FILE_NAMES) {
        const file = path.join(environments, env, name);
        if (await isFile(file)) found.add(file);
      }
    }
  }
  for (const pattern of extraGlobs) {
    if (pattern.trim() === '') continue;
    const absolute = path.isAbsolute(pattern) ? [pattern] : roots.map((root) => path.join(path.resolve(root), pattern));
    for (const candidate of absolute) {
      for (const file of await expandGlob(candidate, { onlyFiles: true })) found.add(file);
    }
  }
  return [...found].sort();
}

async function subfolders(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const folders: string[] = [];
  for (const name of names) {
    try {
      if ((await fs.stat(path.join(dir, name))).isDirectory()) folders.push(name);
    } catch {
      // a dangling link or a folder removed meanwhile: not an environment
    }
  }
  return folders.sort();
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}
