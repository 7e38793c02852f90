import * as vscode from 'vscode';
import { sameJob } from '../../core/compare/previousRun';
import type { InMemoryRecorder } from '../../core/jobs/inMemoryRecorder';
import { JobProblemScan } from '../../core/matchers/jobProblemScan';
import type { FoundProblem } from '../../core/matchers/types';
import { isActive, type Chunk, type JobInfo } from '../../shared/jobs';
import { Disposable } from '../disposable';

/** Jobs whose diagnostics stay in the Problems panel at once; the oldest go first. */
const MAX_COLLECTIONS = 10;
/** Diagnostics are published at most this often while a job runs. */
const PUBLISH_MS = 250;

/** A job's problem counts, and whether its problems are in the Problems panel (so one can be opened). */
export interface ProblemCounts {
  errors: number;
  warnings: number;
  inProblemsPanel: boolean;
}

/** Time one turn of the event loop may spend scanning; the rest waits for the next turn. */
const SLICE_MS = 4;
/** Output waiting to be scanned, per job, at most (UTF-16 units): beyond it the oldest goes unscanned. */
const MAX_PENDING = 16 * 1024 * 1024;

interface Scanned {
  job: JobInfo;
  scan: JobProblemScan;
  /** Output not scanned yet, from `next` on, `size` characters of it. */
  pending: string[];
  next: number;
  size: number;
  collection?: vscode.DiagnosticCollection;
  timer?: NodeJS.Timeout;
}

// The problems in the output of this window's targets and commands on VMs, found as the output
// comes: each job's in a diagnostic collection of its own in the Problems panel, cleared when the
// same job runs again. A task's too: VS Code's own matchers would resolve its relative paths
// against the workspace folder rather than the project's, where make printed them. The counts go
// with the job's end to the hub.
export class JobProblems extends Disposable {
  private readonly jobs = new Map<string, Scanned>();
  private draining: NodeJS.Immediate | undefined;
  private readonly changed = this.register(new vscode.EventEmitter<string>());
  /** A job's counts changed (its id). */
  readonly onDidChange = this.changed.event;

  constructor(recorder: InMemoryRecorder) {
    super();
    const onJob = (job: JobInfo): void => this.jobChanged(job);
    const onChunks = (jobId: string, chunks: Chunk[]): void => this.chunks(jobId, chunks);
    recorder.on('job', onJob);
    recorder.on('chunks', onChunks);
    this.register({ dispose: () => (recorder.off('job', onJob), recorder.off('chunks', onChunks)) });
    this.register({ dispose: () => [...this.jobs.values()].forEach((s) => (clearTimeout(s.timer), s.collection?.dispose())) });
    this.register({ dispose: () => this.draining && clearImmediate(this.draining) });
  }

  counts(jobId: string): ProblemCounts | undefined {
    const scanned = this.jobs.get(jobId);
    return scanned && { ...scanned.scan.counts, inProblemsPanel: scanned.collection !== undefined };
  }

  /** The job's output ended: what was pending is scanned, and the counts are final. */
  settle(jobId: string): { errors: number; warnings: number } | undefined {
    const scanned = this.jobs.get(jobId);
    if (!scanned) return undefined;
    const found = this.scan(scanned, Infinity) + scanned.scan.end().length;
    if (found > 0) this.publish(scanned);
    return scanned.scan.counts;
  }

  /** Opens the first error of a job (else its first warning) where it is. */
  async openFirst(jobId: string): Promise<void> {
    const problems = this.jobs.get(jobId)?.scan.problems.filter((p) => p.file !== undefined) ?? [];
    const first = problems.find((p) => p.severity === 'error') ?? problems[0];
    if (!first?.file) {
      void vscode.window.showInformationMessage('No problem with a file and line was found in this output.');
      return;
    }
    const at = new vscode.Position(Math.max(0, (first.line ?? 1) - 1), Math.max(0, (first.column ?? 1) - 1));
    await vscode.window.showTextDocument(vscode.Uri.file(first.file), { selection: new vscode.Range(at, at), preview: false });
  }

  private jobChanged(job: JobInfo): void {
    const scanned = this.jobs.get(job.id);
    if (scanned) {
      scanned.job = job;
      return;
    }
    // Targets (a sequence's and an environment run's steps too) and commands on VMs; log streams are not builds.
    if (!isActive(job.status) || (job.kind !== 'target' && job.kind !== 'remote-command')) return;
    // The same job run again: the old run's problems go.
    for (const [id, old] of this.jobs) {
      if (sameJob(job, old.job)) this.forget(id);
    }
    this.jobs.set(job.id, { job, scan: new JobProblemScan(job.cwd ?? process.cwd()), pending: [], next: 0, size: 0 });
    for (const [id, old] of this.jobs) {
      if (this.jobs.size <= MAX_COLLECTIONS) break;
      if (!isActive(old.job.status)) this.forget(id);
    }
  }

  // Output is scanned after it is recorded, a few milliseconds a turn, so that reading a job's
  // output (on this same thread) never waits for the matchers.
  private chunks(jobId: string, chunks: Chunk[]): void {
    const scanned = this.jobs.get(jobId);
    if (!scanned) return;
    for (const chunk of chunks) {
      if (chunk.stream === 'system') continue;
      scanned.pending.push(chunk.text);
      scanned.size += chunk.text.length;
    }
    // A job that prints faster than it can be scanned for long: memory stays bounded.
    while (scanned.size > MAX_PENDING && scanned.next < scanned.pending.length - 1) scanned.size -= take(scanned).length;
    this.draining ??= setImmediate(() => this.drain());
  }

  private drain(): void {
    this.draining = undefined;
    const until = performance.now() + SLICE_MS;
    for (const scanned of this.jobs.values()) {
      if (this.scan(scanned, until) > 0) scanned.timer ??= setTimeout(() => this.publish(scanned), PUBLISH_MS);
    }
    if ([...this.jobs.values()].some((s) => s.next < s.pending.length)) this.draining = setImmediate(() => this.drain());
  }

  // Scans a job's pending output until the time is past `until`; returns how many problems it found.
  private scan(scanned: Scanned, until: number): number {
    let found = 0;
    while (scanned.next < scanned.pending.length && performance.now() < until) {
      const text = take(scanned);
      scanned.size -= text.length;
      found += scanned.scan.push(text).length;
    }
    if (scanned.next === scanned.pending.length) {
      scanned.pending = [];
      scanned.next = 0;
    }
    return found;
  }

  private publish(scanned: Scanned): void {
    clearTimeout(scanned.timer);
    scanned.timer = undefined;
    scanned.collection ??= vscode.languages.createDiagnosticCollection(`vmo-job-${scanned.job.id}`);
    scanned.collection.set(diagnosticsByFile(scanned.scan.problems, scanned.job.title));
    this.changed.fire(scanned.job.id);
  }

  private forget(jobId: string): void {
    const scanned = this.jobs.get(jobId);
    if (!scanned) return;
    clearTimeout(scanned.timer);
    scanned.collection?.dispose();
    this.jobs.delete(jobId);
  }
}

/** The oldest pending text, let go of. */
function take(scanned: Scanned): string {
  const text = scanned.pending[scanned.next];
  scanned.pending[scanned.next++] = '';
  return text;
}

function diagnosticsByFile(problems: readonly FoundProblem[], title: string): [vscode.Uri, vscode.Diagnostic[]][] {
  const byFile = new Map<string, vscode.Diagnostic[]>();
  for (const p of problems) {
    if (!p.file) continue;
    const line = Math.max(0, (p.line ?? 1) - 1);
    const column = Math.max(0, (p.column ?? 1) - 1);
    // Without an end, a position is an empty range there (VS Code marks the word), a line the whole line.
    const end = p.endColumn !== undefined ? p.endColumn - 1 : p.column !== undefined ? column : Number.MAX_SAFE_INTEGER;
    const range = new vscode.Range(line, column, Math.max(line, (p.endLine ?? p.line ?? 1) - 1), end);
    const diagnostic = new vscode.Diagnostic(range, p.message, SEVERITY[p.severity]);
    diagnostic.source = `${p.source} · ${title}`;
    if (p.code) diagnostic.code = p.code;
    byFile.set(p.file, [...(byFile.get(p.file) ?? []), diagnostic]);
  }
  return [...byFile].map(([file, diagnostics]) => [vscode.Uri.file(file), diagnostics]);
}

const SEVERITY: Record<FoundProblem['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};
