import type { SshRunOptions } from './remoteCommand';
import type { SshFailure } from './remoteFailure';
import { runRemote } from './remoteJob';
import { placeholderValueError } from '../logs/placeholders';

/** The running containers of a VM, or why they could not be listed. */
export type ContainerList = { names: string[] } | { error: string; sshFailure?: SshFailure; canceled?: true };

// Lists the names of the containers running on a VM (`docker ps --format '{{.Names}}'` over
// ssh), for the UI to offer as `${container}` of the docker logs preset: only names that can
// fill it (docker's own names always can; a VM that prints others is not believed).
export async function listContainers(destination: string, options: SshRunOptions & { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ContainerList> {
  const { result, output, timedOut } = await runRemote(destination, ['docker', 'ps', '--format', '{{.Names}}'], {
    ...options,
    timeoutMs: options.timeoutMs ?? 15_000,
  });
  if (result.sshFailure) return { error: result.sshFailure.message, sshFailure: result.sshFailure };
  if (timedOut) return { error: `docker ps did not answer within ${(options.timeoutMs ?? 15_000) / 1000} s` };
  if (result.status === 'canceled') return { error: 'docker ps was canceled', canceled: true };
  if (result.status !== 'success') return { error: output.trim() || `docker ps ended with ${result.exitCode ?? result.signal}` };
  return { names: output.split('\n').map((line) => line.trim()).filter((line) => placeholderValueError('container', line) === undefined) };
}
