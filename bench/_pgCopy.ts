// COPY … FROM STDIN with nothing but `pg`: a Query whose CopyInResponse is answered with the given
// data, written as the socket drains, then CopyDone. pg-copy-streams does this as a stream; the
// benchmark needs only this much of it, so no package is added for it.
import pg from 'pg';

/** The part of pg's connection this uses. */
interface CopyConnection {
  stream: { writableNeedDrain?: boolean; once(event: 'drain', listener: () => void): void };
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
}

class CopyFromStdin extends pg.Query {
  constructor(
    text: string,
    private readonly data: Iterable<Buffer> | AsyncIterable<Buffer>,
  ) {
    super(text);
  }

  handleCopyInResponse(connection: CopyConnection): void {
    void (async () => {
      try {
        for await (const part of this.data) {
          connection.sendCopyFromChunk(part);
          if (connection.stream.writableNeedDrain) await new Promise<void>((resolve) => connection.stream.once('drain', resolve));
        }
        connection.endCopyFrom();
      } catch (err) {
        connection.sendCopyFail(String(err));
      }
    })();
  }
}

/** Parts of COPY data, read once in order by the COPY as they are pushed. */
export class Parts implements AsyncIterable<Buffer> {
  private readonly queue: Buffer[] = [];
  private ended = false;
  private wake: (() => void) | undefined;

  push(part: Buffer): void {
    this.queue.push(part);
    this.wake?.();
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (;;) {
      const part = this.queue.shift();
      if (part) yield part;
      else if (this.ended) return;
      else await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

/** Runs `COPY <table> (<columns>) FROM STDIN` with `data` (text format, its parts as they come); resolves with the rows copied. */
export function copyFromStdin(client: pg.Client, sql: string, data: Iterable<Buffer> | AsyncIterable<Buffer>): Promise<number> {
  return new Promise((resolve, reject) => {
    const query = new CopyFromStdin(sql, data);
    // A query object with submit() is not turned into a promise by pg: its callback answers.
    (query as unknown as { callback: (err: Error | null, result?: pg.QueryResult) => void }).callback = (err, result) =>
      err ? reject(err) : resolve(result?.rowCount ?? 0);
    void client.query(query as unknown as pg.QueryConfig);
  });
}

/** One value of COPY's text format: backslash, newline, carriage return and tab escaped. */
export function copyText(value: string): string {
  return value.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'));
}
