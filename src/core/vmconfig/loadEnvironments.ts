import type { Problem } from '../problem';
import { FileReadError, readBounded } from '../util/readBounded';
import { MAX_ENVIRONMENT_BYTES, parseEnvironment } from './parseEnvironment';
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

// Read bounded: a FIFO, a device, a folder or a file over MAX_ENVIRONMENT_BYTES is a problem
// at once, never a hang.
async function loadOne(file: string): Promise<{ environment?: Environment; problems: Problem[] }> {
  try {
    return parseEnvironment(await readBounded(file, MAX_ENVIRONMENT_BYTES), file);
  } catch (err) {
    const message = err instanceof FileReadError ? err.sentence : `The file cannot be read: ${err instanceof Error ? err.message : String(err)}.`;
    return { problems: [{ severity: 'error', message, file }] };
  }
}
