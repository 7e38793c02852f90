// Where the history components get their jobs from, so that the same table works in a VS Code
// webview (over postMessage to the extension host) and in the hub's dashboard page (over
// Socket.io). The components never talk to a host or a hub themselves.
import type { HubJob } from '../../../src/shared/hubProtocol';
import type { JobQuery, JobResult } from '../../../src/shared/jobs';

/** One page of history, newest first; `nextCursor` when another page follows. */
export interface HistoryPage {
  jobs: HubJob[];
  nextCursor?: string;
}

/** A job ended, and how: what the hub's `job:done` says. */
export type JobEnded = { id: string } & JobResult;

/** A live change to the history: a job that started (whole), or one that ended (by id). */
export type JobChange = { type: 'started'; job: HubJob } | { type: 'ended'; ended: JobEnded };

export interface HistorySource {
  /** One page of jobs matching `query` (its `cursor` from the previous page's `nextCursor`). */
  list(query: JobQuery): Promise<HistoryPage>;
  /** Calls `listener` with every job that starts or ends from now on; returns a function that stops it. */
  onJob(listener: (change: JobChange) => void): () => void;
  /** Shows the job's output: the dashboard replays it inline, VS Code opens a console tab. */
  open(jobId: string): void;
  /** Runs the job again (same alias, target, args and mode); absent where nothing can run jobs. */
  rerun?(job: HubJob): void;
  /** Puts the job's command line on the clipboard. */
  copyCommand?(job: HubJob): void | Promise<void>;
  /** Deletes the stored job and its output: true once deleted, false when the user kept it; absent for read-only sources. */
  delete?(jobId: string): Promise<boolean>;
}
