import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Problem } from '../problem';
import { expandGlob } from './glob';

/** File names read in each environments/<env>/ folder, the one that wins first. */
export const ENVIRONMENT_FILE_NAMES = ['config.yml', 'config.yaml'] as const;

export interface FoundEnvironmentFiles {
  /** One file per folder: an environment is named by its folder. */
  files: string[];
  /** A warning for each other file of a folder, which is not read. */
  problems: Problem[];
}

// Lists every environments/<env>/config.yml (or .yaml) under each workspace root, plus the files
// matched by extra glob patterns (absolute, or relative to each root). Sorted, without duplicates.
// A folder gives one environment: config.yml, the file vm-config reads, wins over config.yaml
// (then any other name, sorted first); the others are warnings, since both would be the same
// environment and `<env>/<vm>` would name two VMs.
export async function findEnvironmentFiles(roots: string[], extraGlobs: string[] = []): Promise<FoundEnvironmentFiles> {
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
  return onePerFolder([...found].sort());
}

function onePerFolder(sorted: string[]): FoundEnvironmentFiles {
  const byFolder = new Map<string, string[]>();
  for (const file of sorted) {
    const folder = path.dirname(file);
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), file]);
  }
  const problems: Problem[] = [];
  const kept = new Set<string>();
  for (const [folder, files] of byFolder) {
    const [winner, ...ignored] = [...files].sort((a, b) => rank(a) - rank(b));
    kept.add(winner);
    const name = path.basename(winner);
    const why = name === ENVIRONMENT_FILE_NAMES[0] ? `, the file vm-config reads` : '';
    for (const file of ignored) {
      problems.push({
        severity: 'warning',
        message: `Ignored: environment "${path.basename(folder)}" is read from ${name} beside it${why}; a folder holds one environment. Move what this file adds there and delete it.`,
        file,
      });
    }
  }
  return { files: sorted.filter((f) => kept.has(f)), problems };
}

/** config.yml first, then config.yaml, then any other name; sort() keeps names in order. */
function rank(file: string): number {
  const i = (ENVIRONMENT_FILE_NAMES as readonly string[]).indexOf(path.basename(file));
  return i === -1 ? ENVIRONMENT_FILE_NAMES.length : i;
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
