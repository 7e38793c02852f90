import { HubReporter } from '../../../src/core/hub/hubReporter';
import { claimSpoolFolder, type SpoolFolder } from '../../../src/core/hub/orphanSpools';
import type { Chunk, JobInfo } from '../../../src/shared/jobs';
import { OPERATOR } from '../server/helpers';

/** The spool folder `<root>/<name>` as a window leaves it that reported `job` (and `chunks`) while no hub answered, then died. */
export async function deadWindowSpool(root: string, name: string, job: JobInfo, chunks: Chunk[] = []): Promise<SpoolFolder> {
  const dead = claimSpoolFolder(root, name);
  const away = new HubReporter({ url: 'http://127.0.0.1:9', token: OPERATOR, reporterId: name, spoolDir: dead.dir });
  away.started(job);
  if (chunks.length > 0) away.chunks(job.id, chunks);
  await away.close(0);
  dead.lock.release();
  return dead;
}
