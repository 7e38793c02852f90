// The least any hub can cost between a window and PostgreSQL: the rows of the COPY limit
// (_copyLimit.ts), one WebSocket message per chunk as a report carries it, sent over loopback to a
// relay process (_relay.ts) that writes each message as it comes, untouched, into one COPY. Against
// COPY from the process that holds the rows, it adds what every hub adds — a second trip through
// the kernel, a WebSocket's framing, a process between — and none of what a hub does of its own:
// no parsing, checking, statements or acknowledgements. Timed from the first message until the
// relay's answer that the COPY ended.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import WebSocket from 'ws';
import type { Chunk } from '../src/shared/jobs';
import { PostgresJobStore } from '../src/core/store/postgresJobStore';
import { COPY_COLUMNS, jobWithRows } from './_copyLimit';
import { cpuMeter } from './_hubProcess';
import { rate } from './ingest-store';

/** `chunks` relayed into the PostgreSQL database at `url`; with the CPU of each process. */
export async function relayIntoPostgres(url: string, chunks: readonly Chunk[]) {
  // One row, one message, as the runner's chunks of up to REPORT_MAX_CHARS go one to a report.
  const data = await jobWithRows(await PostgresJobStore.open({ url }), chunks, 1);
  const relay = fork(path.join(__dirname, '_relay.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = once(relay, 'exit');
  try {
    const listening = once(relay, 'message') as Promise<[{ port: number }]>;
    relay.send({ url, sql: `COPY ${COPY_COLUMNS} FROM STDIN` });
    const [{ port }] = await Promise.race([listening, exited.then(() => Promise.reject(new Error('The relay exited before it listened')))]);
    const socket = new WebSocket(`ws://127.0.0.1:${port}`);
    await once(socket, 'open');
    const answered = once(socket, 'message') as Promise<[Buffer]>;
    const start = performance.now();
    const cpu = cpuMeter('relay', relay.pid!);
    for (const part of data) socket.send(part);
    socket.send('end');
    const answer = JSON.parse(String((await answered)[0])) as { rows?: number; error?: string };
    const ms = performance.now() - start;
    const cpu_ms = cpu(ms);
    socket.close();
    if (answer.rows !== chunks.length) throw new Error(`The relay stored ${answer.rows ?? 0} of ${chunks.length} rows${answer.error ? `: ${answer.error}` : ''}`);
    return { ...rate(chunks, ms), rows: answer.rows, messages: data.length, cpu_ms };
  } finally {
    relay.kill();
  }
}
