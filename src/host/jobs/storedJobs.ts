import * as vscode from 'vscode';
import { HubJobs } from '../../core/hub/hubJobs';
import { InMemoryRecorder } from '../../core/jobs/inMemoryRecorder';
import type { HubJob } from '../../shared/hubProtocol';
import type { Settings } from '../config';
import { Disposable } from '../disposable';
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

  // Loads a stored job's output into `replays` (once; it follows the job while it runs).
  async open(jobId: string): Promise<void> {
    if (this.replays.get(jobId)) return;
    if (!this.hubJobs) throw new Error('The job history is not available: this window is not connected to a hub (see VM Orchestrator: Show Log).');
    this.following.set(jobId, await this.hubJobs.follow(jobId, this.replays));
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
  }

  private disconnect(): void {
    for (const stop of this.following.values()) stop();
    this.following.clear();
    this.hubJobs?.close();
    this.hubJobs = undefined;
    this.changed.fire();
  }
}
