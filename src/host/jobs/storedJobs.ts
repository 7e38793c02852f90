import * as vscode from 'vscode';
import { HubJobs } from '../../core/hub/hubJobs';
import { InMemoryRecorder } from '../../core/jobs/inMemoryRecorder';
import { EVENTS_MAX_BYTES, EVENTS_MAX_CHUNKS, type HubJob } from '../../shared/hubProtocol';
import type { Chunk, JobQuery } from '../../shared/jobs';
import type { Settings } from '../config';
import { Disposable } from '../disposable';
import { noHubMessage } from '../hub/hubAddress';
import { log } from '../logger';
import type { HubLink } from '../registerHub';


// The jobs the hub stores — of every window, this machine's and others' — for the Jobs view, and
// their output replayed into a recorder of their own (never this window's: that one reports to
// the hub, and these are already there), where a console tab shows them, live while they run.
export class StoredJobs extends Disposable {
  /** Replayed jobs; the console reads them from here. */
  readonly replays: InMemoryRecorder;
  private hubJobs: HubJobs | undefined;
  private readonly following = new Map<string, () => void>();
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;
  private readonly jobChanged = this.register(new vscode.EventEmitter<HubJob>());
  /** A job started or ended, in any window. */
  readonly onDidChangeJob = this.jobChanged.event;
  private readonly connection = this.register(new vscode.EventEmitter<boolean>());
  /** A hub was reached (true) or is no longer known (false). */
  readonly onDidChangeConnection = this.connection.event;

  constructor(
    hub: HubLink,
    private readonly settings: () => Settings,
    spillDir: string,
  ) {
    super();
    this.replays = new InMemoryRecorder({ spillDir, maxJobs: 20 });
    const unfollow = (jobId: string): void => {
      this.following.get(jobId)?.();
      this.following.delete(jobId);
    };
    this.replays.on('removed', unfollow);
    this.register({ dispose: () => (this.replays.off('removed', unfollow), this.replays.dispose()) });
    this.connect(hub);
    this.register(hub.onDidChange(() => this.connect(hub)));
    this.register({ dispose: () => this.disconnect() });
  }

  /** Running jobs first, then the newest finished ones; empty without a hub. */
  get jobs(): HubJob[] {
    return this.hubJobs?.jobs ?? [];
  }

  // Loads a stored job into `replays` (once; it follows the job while it runs): its start, the
  // end of its output — what its console shows first — and its end; fetchBefore() has the rest.
  async open(jobId: string): Promise<void> {
    if (this.replays.get(jobId)) return;
    this.following.set(jobId, await this.hub().follow(jobId, this.replays));
  }

  /** The stored output just before `beforeSeq`, about `maxBytes` of it, in order. */
  async fetchBefore(jobId: string, beforeSeq: number, maxBytes: number): Promise<Chunk[]> {
    // The most chunks a page may hold: output of one line per chunk fills a page by bytes in far fewer round trips.
    return this.hub().events({ jobId, beforeSeq, maxBytes: Math.min(EVENTS_MAX_BYTES, Math.max(1, Math.floor(maxBytes))), limit: EVENTS_MAX_CHUNKS });
  }

  /** A job's stored output from its start, in order, until it has `maxBytes` of text; `complete` says whether that was all. */
  async output(jobId: string, maxBytes: number): Promise<{ chunks: Chunk[]; complete: boolean }> {
    const hub = this.hub();
    const chunks: Chunk[] = [];
    let bytes = 0;
    for (let fromSeq = 0; bytes < maxBytes; ) {
      const page = await hub.events({ jobId, fromSeq, maxBytes: EVENTS_MAX_BYTES, limit: EVENTS_MAX_CHUNKS });
      if (page.length === 0) return { chunks, complete: true };
      chunks.push(...page);
      bytes += page.reduce((n, c) => n + Buffer.byteLength(c.text), 0);
      fromSeq = page[page.length - 1].seq + 1;
    }
    return { chunks, complete: false };
  }

  get connected(): boolean {
    return this.hubJobs !== undefined;
  }

  /** The hub's jobs, or an error that says why there is no hub. */
  private hub(): HubJobs {
    if (!this.hubJobs) throw new Error(noHubMessage('the job history is not available'));
    return this.hubJobs;
  }

  /** One page of the hub's history. */
  async list(query: JobQuery): Promise<{ jobs: HubJob[]; nextCursor?: string }> {
    return this.hub().list(query);
  }

  /** A stored job, or undefined (also without a hub). */
  async get(jobId: string): Promise<HubJob | undefined> {
    return this.hubJobs?.getJob(jobId);
  }

  /** Deletes a finished job and its output from the hub. */
  async delete(jobId: string): Promise<void> {
    await this.hub().delete(jobId);
  }

  /** Cancels a job of another window through the hub (which asks that window). */
  async cancel(jobId: string): Promise<void> {
    if (!this.hubJobs) throw new Error('This window is not connected to a hub.');
    await this.hubJobs.cancel(jobId);
  }

  private connect(hub: HubLink): void {
    this.disconnect();
    const address = hub.address;
    if (!address) return;
    this.hubJobs = new HubJobs({ url: address.url, token: address.token, limit: this.settings().jobsViewLimit, log: (m) => log.info(`[history] ${m}`) });
    this.hubJobs.on('changed', () => this.changed.fire());
    this.hubJobs.on('job', (job) => this.jobChanged.fire(job));
    this.connection.fire(true);
  }

  private disconnect(): void {
    for (const stop of this.following.values()) stop();
    this.following.clear();
    if (this.hubJobs) this.connection.fire(false);
    this.hubJobs?.close();
    this.hubJobs = undefined;
    this.changed.fire();
  }
}
