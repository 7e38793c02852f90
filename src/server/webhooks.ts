import type { JobStore } from '../core/store/jobStore';
import { formatDuration } from '../shared/format';
import type { JobDoneEvent } from '../shared/hubProtocol';
import { problemCounts, type FinalStatus } from '../shared/jobs';
import { messageOf } from '../shared/errors';

/** Which ended jobs are posted: those that did not end well, or all. */
export type WebhookOn = 'failed' | 'all';

export interface WebhookOptions {
  urls: readonly string[];
  on: WebhookOn;
  store: JobStore;
  /** Resolves once what was reported so far is stored (a post is built from the store). */
  stored: () => Promise<void>;
  /** The dashboard's address, for the link in each post. */
  dashboardUrl: () => string;
  log: (message: string) => void;
  /** Waits before the attempts after the first; default 1, 2, 4, 8 and 16 s. */
  retryDelaysMs?: readonly number[];
  /** How long one post may take; default 10 s. */
  timeoutMs?: number;
}

/** What each URL is sent, as JSON: the job, how it ended, a link, and a line chat tools show as is. */
export interface WebhookPost {
  /** One line for Slack, Mattermost and the like. */
  text: string;
  job: { id: string; title: string; kind: string; alias?: string; target?: string; vm?: string; command: string; hostname: string; parentId?: string };
  status: FinalStatus;
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  startedAt: number;
  finishedAt: number;
  /** Errors and warnings found in its output, when its window counted them. */
  errors?: number;
  warnings?: number;
  url: string;
}

/** Posts waiting per URL beyond this many are dropped, oldest first (a receiver down for hours). */
const MAX_WAITING = 1000;
const NOT_OK: ReadonlySet<FinalStatus> = new Set(['failed', 'interrupted']);

// Tells web hooks (a chat channel, an alerting service) of jobs that ended. A job's end is handed
// over and nothing more: the post is built from the store and sent later, one at a time per URL,
// with retries and a timeout, so a slow or dead receiver never slows what the hub stores.
export class Webhooks {
  private readonly queues: { url: string; waiting: JobDoneEvent[]; sending: boolean }[];
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly options: WebhookOptions) {
    this.queues = options.urls.map((url) => ({ url, waiting: [], sending: false }));
  }

  /** A job reported to this hub ended. */
  ended(event: JobDoneEvent): void {
    if (this.stopped || (this.options.on === 'failed' && !NOT_OK.has(event.status))) return;
    for (const queue of this.queues) {
      queue.waiting.push(event);
      if (queue.waiting.length > MAX_WAITING) {
        const dropped = queue.waiting.shift()!;
        this.options.log(`Webhook ${queue.url}: more than ${MAX_WAITING} posts waiting; the one of job ${dropped.jobId} is dropped`);
      }
      if (!queue.sending) void this.drain(queue);
    }
  }

  /** Stops sending; what has not been sent is dropped (and said). */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    const left = this.queues.reduce((n, q) => n + q.waiting.length, 0);
    if (left > 0) this.options.log(`Webhooks: ${left} post(s) not sent, the hub is stopping`);
  }

  private async drain(queue: (typeof this.queues)[number]): Promise<void> {
    queue.sending = true;
    try {
      while (!this.stopped && queue.waiting.length > 0) {
        const event = queue.waiting[0];
        await this.deliver(queue.url, event);
        queue.waiting.shift();
      }
    } finally {
      queue.sending = false;
    }
  }

  // One post, tried until it is taken (2xx) or refused for good (4xx but 408 and 429), or the
  // retries are used up.
  private async deliver(url: string, event: JobDoneEvent): Promise<void> {
    const delays = this.options.retryDelaysMs ?? [1000, 2000, 4000, 8000, 16_000];
    let body: string;
    try {
      body = JSON.stringify(await this.post(event));
    } catch (err) {
      this.options.log(`Webhook ${url}: job ${event.jobId} could not be read (${messageOf(err)}); not posted`);
      return;
    }
    for (let attempt = 0; ; attempt++) {
      let why: string;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        });
        await response.body?.cancel();
        if (response.ok) return;
        why = `HTTP ${response.status}`;
        if (response.status < 500 && response.status !== 408 && response.status !== 429) {
          this.options.log(`Webhook ${url}: the post of job ${event.jobId} was refused (${why}); not sent again`);
          return;
        }
      } catch (err) {
        why = messageOf(err);
      }
      if (this.stopped || attempt >= delays.length) {
        this.options.log(`Webhook ${url}: the post of job ${event.jobId} failed ${attempt + 1} time(s), last: ${why}; given up`);
        return;
      }
      await this.sleep(delays[attempt]);
    }
  }

  private async post(event: JobDoneEvent): Promise<WebhookPost> {
    await this.options.stored();
    const job = await this.options.store.getJob(event.jobId);
    if (!job) throw new Error('it is not stored');
    const { status, exitCode, signal, durationMs, finishedAt } = event;
    const how = status === 'failed' && exitCode !== null ? `failed (exit ${exitCode})` : status;
    const where = [job.vm ? `for ${job.vm}` : '', `on ${job.hostname}`].filter(Boolean).join(' ');
    const url = this.options.dashboardUrl();
    return {
      text: `${job.title} ${how} after ${formatDuration(durationMs)} ${where}: ${url}`,
      job: {
        id: job.id,
        title: job.title,
        kind: job.kind,
        ...(job.alias !== undefined ? { alias: job.alias } : {}),
        ...(job.target !== undefined ? { target: job.target } : {}),
        ...(job.vm !== undefined ? { vm: job.vm } : {}),
        command: job.command,
        hostname: job.hostname,
        ...(job.parentId !== undefined ? { parentId: job.parentId } : {}),
      },
      status,
      exitCode,
      signal,
      durationMs,
      startedAt: job.startedAt,
      finishedAt,
      ...problemCounts(job),
      url,
    };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      timer.unref();
      this.timers.add(timer);
    });
  }
}
