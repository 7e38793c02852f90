/** Queries of one socket that run at once; the rest wait their turn. */
const QUERY_CONCURRENCY = 4;
/** Queries of one socket that may wait; one more is refused. */
const QUERY_BACKLOG = 16;

// The work one socket asked for. Its reports run one after another in the order they came (which
// keeps a job's start, output and end in order); its queries run a few at a time, so that a client
// asking for thousands of pages at once holds the database for no longer than anyone else.
export class SocketLanes {
  private reports: Promise<unknown> = Promise.resolve();
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  /** Runs `task` after the reports queued before it. */
  report<T>(task: () => Promise<T>): Promise<T> {
    const next = this.reports.then(task, task);
    this.reports = next.catch(() => undefined);
    return next;
  }

  /** Runs `task` when a place is free; undefined when too many queries wait already. */
  query<T>(task: () => Promise<T>): Promise<T> | undefined {
    if (this.running >= QUERY_CONCURRENCY && this.waiting.length >= QUERY_BACKLOG) return undefined;
    return (async () => {
      if (this.running >= QUERY_CONCURRENCY) await new Promise<void>((resolve) => this.waiting.push(resolve));
      this.running++;
      try {
        return await task();
      } finally {
        this.running--;
        this.waiting.shift()?.();
      }
    })();
  }
}
