// What the ingest bench runs: a producer program printing build-log lines, the job it is, the
// runner that reads it (startJob on a pseudo-terminal 160×40, as the console runs targets), and a
// hub reporter on its thread (ReporterThread, from the built bundle as the extension starts it) or
// on this one, connected to a hub.
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startJob } from '../src/core/exec/startJob';
import { HubReporter } from '../src/core/hub/hubReporter';
import { ReporterThread } from '../src/core/hub/reporterThread';
import type { JobRecorder } from '../src/core/jobs/recorder';
import type { Chunk, JobInfo } from '../src/shared/jobs';
import { until, type Client } from '../test/unit/server/helpers';
import { OPERATOR, REPORTER_THREAD, type HubProcess } from './_hubProcess';

export const LINE_BYTES = 100;

// Lines of LINE_BYTES like a build log, each stamped `@<epoch ms>` with when it was written.
// argv: lines, bytes per second (0: as fast as the reader takes them).
const PRODUCER = `
const lines = Number(process.argv[2]);
const pace = Number(process.argv[3]);
const PAD = ' cc -O2 -c src/module.c -o build/module.o -Wall -Wextra -fPIC -Iinclude -DNDEBUG ' + '.'.repeat(${LINE_BYTES});
function block(from, to) {
  const stamp = (performance.timeOrigin + performance.now()).toFixed(1);
  let text = '';
  for (let n = from; n < to; n++) text += (String(n).padStart(7, '0') + ' @' + stamp + PAD).slice(0, ${LINE_BYTES - 1}) + '\\n';
  return text;
}
let next = 0;
if (pace > 0) {
  const start = performance.now();
  const tick = () => {
    const due = Math.min(lines, Math.floor((((performance.now() - start) / 1000) * pace) / ${LINE_BYTES}));
    if (due > next) process.stdout.write(block(next, due));
    next = Math.max(next, due);
    if (next < lines) setTimeout(tick, 2);
  };
  tick();
} else {
  const more = () => {
    while (next < lines) {
      const end = Math.min(lines, next + 500);
      const ok = process.stdout.write(block(next, end));
      next = end;
      if (!ok) return process.stdout.once('drain', more);
    }
  };
  more();
}
`;

/** The bench's folder, transport and time limit. */
export interface IngestSetup {
  tmp: string;
  usePty: boolean;
  timeoutMs: number;
}

/** Writes the producer into `setup.tmp`; returns the argv of a run printing `lines` (paced at `pace` B/s). */
export function producerIn(setup: IngestSetup): (lines: number, pace?: number) => string[] {
  const file = path.join(setup.tmp, 'producer.js');
  writeFileSync(file, PRODUCER);
  return (lines, pace = 0) => [process.execPath, file, String(lines), String(pace)];
}

export function jobInfo(setup: IngestSetup, argv: string[]): JobInfo {
  return { id: randomUUID(), kind: 'target', mode: 'console', title: 'bench ingest', argv, cwd: setup.tmp, hostname: os.hostname(), startedAt: Date.now(), status: 'running' };
}

/** The producer through startJob, each chunk to `onChunk`; resolves at the job's end with its result. */
export async function runProducer(setup: IngestSetup, argv: string[], onChunk: (chunk: Chunk) => void) {
  const job = startJob({ argv, cwd: setup.tmp, usePty: setup.usePty, cols: 160, rows: 40 }, { onChunk });
  const result = await job.done;
  if (result.status !== 'success') throw new Error(`The producer ended ${result.status} (${result.exitCode})`);
  return { result, transport: job.transport };
}

/** A reporter as the bench drives it: a HubReporter, on this thread or on its own. */
export type Reporting = JobRecorder & Pick<HubReporter, 'connected' | 'idle' | 'close'>;

/** A reporter connected to `hub`: on a thread of its own as a window runs it, or a HubReporter on this thread (`here`). */
export async function reporterFor(setup: IngestSetup, hub: HubProcess, name: string, where: 'thread' | 'here' = 'thread'): Promise<Reporting> {
  const options = { url: hub.url, token: OPERATOR, reporterId: `bench-${name}-${where}`, spoolDir: path.join(setup.tmp, `spool-${name}-${where}`) };
  const reporter = where === 'thread' ? new ReporterThread(REPORTER_THREAD, options) : new HubReporter(options);
  await until(() => reporter.connected, 10_000, 'the reporter to connect');
  return reporter;
}

/** Waits until the hub says everything reported is stored, and checks its account of the job. */
export async function stored(setup: IngestSetup, reporter: Reporting, viewer: Client, job: JobInfo, lastSeq: number): Promise<void> {
  if (!(await reporter.idle(setup.timeoutMs))) throw new Error('The hub did not store the job in time');
  const answer = (await viewer.timeout(10_000).emitWithAck('jobs:get', job.id)) as { ok: boolean; job?: { lastSeq?: number; status: string } };
  if (!answer.ok || answer.job?.lastSeq !== lastSeq || answer.job.status !== 'success') throw new Error(`The hub stored ${JSON.stringify(answer)}, expected lastSeq ${lastSeq}`);
}

export const round = (v: number, digits = 1): number => Math.round(v * 10 ** digits) / 10 ** digits;
export const mib = (bytes: number): number => bytes / 2 ** 20;
