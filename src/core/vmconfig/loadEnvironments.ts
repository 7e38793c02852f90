import { promises as fs } from 'node:fs';
import type { Problem } from '../problem';
import { formatBytes, MAX_ENVIRONMENT_BYTES, parseEnvironment } from './parseEnvironment';
import type { Environment } from './types';

export interface LoadedEnvironments {
  environments: Environment[];
  problems: Problem[];
}

// Reads and parses each environment file; a file that cannot be read is a problem, never a throw,
// and the others still load. Environments keep the order of `files`.
export async function loadEnvironments(files: readonly string[]): Promise<LoadedEnvironments> {
  const results = await Promise.all(files.map((file) => loadOne(file)));
  const environments: Environment[] = [];
  const problems: Problem[] = [];
  for (const result of results) {
    if (result.environment) environments.push(result.environment);
    problems.push(...result.problems);
  }
  return { environments, problems };
}

async function loadOne(file: string): Promise<{ environment?: Environment; problems: Problem[] }> {
  try {
    const stat = await fs.stat(file);
    if (stat.isDirectory()) return fail(file, 'This is a folder, not an environment file.');
    if (stat.size > MAX_ENVIRONMENT_BYTES) {
      return fail(file, `The file is ${formatBytes(stat.size)}; environment files over ${formatBytes(MAX_ENVIRONMENT_BYTES)} are not read.`);
    }
    return parseEnvironment(await fs.readFile(file, 'utf8'), file);
  } catch (err) {
    return fail(file, readErrorMessage(err));
  }
}

function fail(file: string, message: string): { problems: Problem[] } {
  return { problems: [{ severity: 'error', message, file }] };
}

/** A one-sentence reason a file could not be read. */
export function readErrorMessage(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'The file does not exist (or is a link to nothing).';
    case 'EACCES':
    case 'EPERM':
      return 'The file cannot be read: permission denied.';
    case 'EISDIR':
      return 'This is a folder, not a file.';
    case 'ELOOP':
      return 'The file cannot be read: too many levels of symbolic links.';
    default:
      return `The file cannot be read: ${err instanceof Error ? err.message : String(err)}.`;
  }
}
