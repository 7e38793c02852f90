import * as vscode from 'vscode';
import { chunksToText } from '../../core/jobs/textExport';
import { compileMasks, maskOutput, type MaskRule } from '../../core/compare/maskOutput';
import type { InMemoryRecorder } from '../../core/jobs/inMemoryRecorder';
import { isGroup, type Chunk, type JobInfo } from '../../shared/jobs';
import type { Settings } from '../config';
import type { StoredJobs } from '../jobs/storedJobs';

/** The scheme of a job's output as a read-only document. */
export const OUTPUT_SCHEME = 'vmo-output';

/** Most output of one job read for a comparison; the rest is left out, and the document says so. */
const MAX_BYTES = 32 * 1024 * 1024;

/** The document of a job's masked output; its path names the job for the diff editor's title. */
export function outputUri(job: Pick<JobInfo, 'id' | 'title' | 'startedAt'>): vscode.Uri {
  const when = new Date(job.startedAt).toLocaleString().replace(/\//g, '-');
  return vscode.Uri.from({ scheme: OUTPUT_SCHEME, path: `/${job.id}/${job.title.replace(/[/\\]/g, '-')} (${when}).log` });
}

// A job's output as plain text with the volatile parts masked (vmOrchestrator.compare.masks):
// read from the hub, which has the jobs of every window and machine; without one, from this
// window's own jobs. Documents are read-only; VS Code asks again when one is opened anew.
export class JobOutputDocuments implements vscode.TextDocumentContentProvider {
  constructor(
    private readonly recorder: InMemoryRecorder,
    private readonly stored: StoredJobs,
    private readonly settings: () => Settings,
  ) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const jobId = uri.path.split('/')[1];
    const rules = this.settings().compareMasks as MaskRule[];
    const compiled = compileMasks(rules);
    if ('error' in compiled) throw new Error(`vmOrchestrator.compare.masks: ${compiled.error}`);
    const { job, chunks, complete } = await this.read(jobId);
    // The program's output; a group's is its log of how its jobs went.
    const text = chunksToText(chunks, { streams: isGroup(job.kind) ? ['stdout', 'stderr', 'system'] : ['stdout', 'stderr'], timestamps: false });
    return maskOutput(text, compiled.masks) + (complete ? '' : `[… output after the first ${MAX_BYTES / 1024 / 1024} MiB left out]\n`);
  }

  private async read(jobId: string): Promise<{ job: JobInfo; chunks: Chunk[]; complete: boolean }> {
    if (this.stored.connected) {
      const job = await this.stored.get(jobId);
      if (job) return { job, ...(await this.stored.output(jobId, MAX_BYTES)) };
    }
    const own = this.recorder.get(jobId);
    if (!own) throw new Error(`The job ${jobId} is neither stored by the hub nor kept by this window.`);
    const chunks = this.recorder.read(jobId, this.recorder.firstSeq(jobId), MAX_BYTES);
    return { job: own, chunks, complete: this.recorder.firstSeq(jobId) === 0 && (chunks.at(-1)?.seq ?? -1) + 1 === this.recorder.nextSeq(jobId) };
  }
}
