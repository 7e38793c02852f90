// The runs of the ingest bench against one hub: the producer's output end to end (runner, reporter,
// hub, store), prepared chunks reported straight to the hub, and the paced producer's latency to a
// viewer that joined the job, in a process of its own.
import { fork } from 'node:child_process';
import path from 'node:path';
import type { Chunk, JobResult } from '../src/shared/jobs';
import type { Client } from '../test/unit/server/helpers';
import { within } from '../test/unit/util/hostileFiles';
import { cpuMeter, VIEWER, type HubProcess } from './_hubProcess';
import { jobInfo, LINE_BYTES, mib, round, runProducer, stored, type IngestSetup, type Reporting } from './_ingestJob';

/**
 * A hub under test, a viewer connected to it, the producer's argv, and the reporters the runs report
 * through, one each per hub, as a window has one however many jobs it runs (a new thread's first
 * job runs its code cold: about 0.5 s more CPU): the window's, on a thread of its own, and a
 * HubReporter on this thread, which sends prepared chunks straight to the hub.
 */
export interface HubRun {
  setup: IngestSetup;
  hub: HubProcess;
  viewer: Client;
  reporter: Reporting;
  direct: Reporting;
  name: string;
  producer: (lines: number, pace?: number) => string[];
}

const epochNow = (): number => performance.timeOrigin + performance.now();

function percentile(sorted: Float64Array, p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** What a feed reported of a job. */
interface Fed {
  bytes: number;
  lastSeq: number;
  result: JobResult;
}

// Times a job whose chunks `feed` reports, from its start until the hub stored it all, with the
// CPU each process took.
async function timed(run: HubRun, reporter: Reporting, argv: string[], feed: (report: (chunk: Chunk) => void, argv: string[]) => Promise<Fed>) {
  const job = jobInfo(run.setup, argv);
  const start = performance.now();
  const cpu = cpuMeter('hub', run.hub.pid);
  reporter.started(job);
  const fed = await feed((chunk) => reporter.chunks(job.id, [chunk]), job.argv);
  const fedMs = performance.now() - start;
  reporter.finished(job.id, fed.result);
  await stored(run.setup, reporter, run.viewer, job, fed.lastSeq);
  const ms = performance.now() - start;
  return { bytes: fed.bytes, chunks: fed.lastSeq + 1, fed_ms: Math.round(fedMs), stored_ms: Math.round(ms), mib_s: round(mib(fed.bytes) / (ms / 1000)), cpu_ms: cpu(ms) };
}

/** `lines` of the producer through runner, reporter and hub, until stored. */
export function endToEnd(run: HubRun, lines: number) {
  return timed(run, run.reporter, run.producer(lines), async (report, argv) => {
      let bytes = 0;
      let lastSeq = -1;
      const { result } = await runProducer(run.setup, argv, (chunk) => {
        report(chunk);
        bytes += Buffer.byteLength(chunk.text);
        lastSeq = chunk.seq;
      });
      return { bytes, lastSeq, result };
  });
}

/** `chunks` (made by the runner beforehand) reported all at once by `reporter`, until stored: the hub alone, with `run.direct`. */
export function prepared(run: HubRun, reporter: Reporting, chunks: readonly Chunk[]) {
  return timed(run, reporter, ['prepared'], async (report) => {
      let bytes = 0;
      for (const chunk of chunks) {
        report(chunk);
        bytes += Buffer.byteLength(chunk.text);
      }
      return { bytes, lastSeq: chunks.length - 1, result: { status: 'success', exitCode: 0, signal: null, durationMs: 0, finishedAt: Date.now() } };
  });
}

/** What the latency viewer (_latencyViewer.ts) saw: per chunk [seq, when it came], per line [seq, ms after it was written]. */
interface Seen {
  arrivals: [number, number][];
  latencies: [number, number][];
}

// A viewer in a process of its own, as a dashboard is, watching one job; resolves once it joined,
// with what it saw to come. In this process it would share the event loop with the runner it times.
async function viewerProcess(hub: HubProcess, jobId: string, lines: number): Promise<{ seen: Promise<Seen>; stop(): void }> {
  const child = fork(path.join(__dirname, '_latencyViewer.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`The latency viewer exited (${code}) before it saw every line`))));
  const next = <T>(): Promise<T> => Promise.race([new Promise<T>((resolve) => child.once('message', (m) => resolve(m as T))), exited]);
  const joined = next<{ joined: boolean; error?: string }>();
  child.send({ url: hub.url, token: VIEWER, jobId, lines });
  const answer = await joined;
  if (!answer.joined) throw new Error(`The latency viewer could not join the job${answer.error ? `: ${answer.error}` : ''}`);
  const seen = next<Seen>();
  seen.catch(() => undefined);
  return { seen, stop: () => child.kill() };
}

/** The producer paced at `bytesPerS` for `seconds`; a viewer that joined the job times each line's arrival. */
export async function latency(run: HubRun, bytesPerS: number, seconds: number) {
  const { setup, viewer, reporter } = run;
  const lines = Math.round((bytesPerS * seconds) / LINE_BYTES);
  /** When each chunk was handed to the reporter, by seq. */
  const handedAt: number[] = [];
  let watching: Awaited<ReturnType<typeof viewerProcess>> | undefined;
  try {
    const job = jobInfo(setup, run.producer(lines, bytesPerS));
    reporter.started(job);
    watching = await viewerProcess(run.hub, job.id, lines);
    let lastSeq = -1;
    const [start, cpu] = [performance.now(), cpuMeter('hub', run.hub.pid)];
    const { result } = await runProducer(setup, job.argv, (chunk) => {
      handedAt[chunk.seq] = epochNow();
      reporter.chunks(job.id, [chunk]);
      lastSeq = chunk.seq;
    });
    const cpuMs = cpu(performance.now() - start);
    reporter.finished(job.id, result);
    await stored(setup, reporter, viewer, job, lastSeq);
    const seen = await within(10_000, watching.seen);
    const arrivedAt = new Map(seen.arrivals);
    // The two legs: written → chunk out of the runner (per line); chunk → viewer (per chunk).
    const hubLeg = Float64Array.from(seen.arrivals, ([seq, at]) => at - handedAt[seq]!).sort();
    const runnerLeg = Float64Array.from(seen.latencies, ([seq, ms]) => ms - (arrivedAt.get(seq)! - handedAt[seq]!)).sort();
    const sorted = Float64Array.from(seen.latencies, ([, ms]) => ms).sort();
    return {
      lines: sorted.length,
      chunks: hubLeg.length,
      mib_s: round(mib(bytesPerS)),
      p50_ms: round(percentile(sorted, 50)),
      p99_ms: round(percentile(sorted, 99)),
      max_ms: round(sorted[sorted.length - 1]!),
      runner_p50_ms: round(percentile(runnerLeg, 50)),
      runner_p99_ms: round(percentile(runnerLeg, 99)),
      hub_p50_ms: round(percentile(hubLeg, 50)),
      hub_p99_ms: round(percentile(hubLeg, 99)),
      // A stall of the runner leg with the machine's CPUs all taken is the machine's, not the runner's.
      cpu_ms: cpuMs,
    };
  } finally {
    watching?.stop();
  }
}
