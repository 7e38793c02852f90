/**
 * How many reads the hub runs in its database at once. PGlite runs one statement at a time and
 * the PostgreSQL pool holds four connections, which the job writes need too.
 */
export const READS_AT_ONCE = 2;

// The database's time shared between clients in turn. The database serves statements first come,
// first served: a client asking for pages back to back would have every other client wait behind
// all of its pages. Here each client's reads wait in a queue of its own, and the queues take turns:
// a read waits for at most one read of each other client (and those already running).
export class FairTurns {
  private running = 0;
  /** Clients with reads waiting, in the order of their next turn; each with its reads in order. */
  private readonly waiting = new Map<object, Array<() => void>>();

  constructor(private readonly atOnce = READS_AT_ONCE) {}

  /** Runs `read` on behalf of `client` (any object that stands for it: a socket, a connection) in its turn. */
  async run<T>(client: object, read: () => Promise<T>): Promise<T> {
    if (this.running < this.atOnce) this.running++;
    // The place is handed over by the read that ends (see next()), so none can take it meanwhile.
    else await new Promise<void>((resolve) => this.queue(client).push(resolve));
    try {
      return await read();
    } finally {
      this.next();
    }
  }

  private queue(client: object): Array<() => void> {
    let queue = this.waiting.get(client);
    if (!queue) this.waiting.set(client, (queue = []));
    return queue;
  }

  /** Gives the place that has just been freed to the client whose turn it is, or frees it. */
  private next(): void {
    const turn = this.waiting.entries().next();
    if (turn.done) {
      this.running--;
      return;
    }
    const [client, queue] = turn.value;
    // To the back of the line, or out of it.
    this.waiting.delete(client);
    const go = queue.shift()!;
    if (queue.length > 0) this.waiting.set(client, queue);
    // After the I/O that waits: PGlite opened on the hub's own thread runs each statement
    // synchronously and hands over in a microtask, so reads handed on at once would run back to
    // back before the hub even read the next client's request.
    setImmediate(go);
  }
}
