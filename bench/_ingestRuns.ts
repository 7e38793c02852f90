// The runs of the ingest bench against one hub: the producer's output end to end (runner, reporter,
// hub, store), prepared chunks reported straight to the hub, and the paced producer's latency to a
// viewer that joined the job.
import os from 'node:os';
import type { JobLogEvent } from '../src/shared/hubProtocol';
import type { Chunk, JobResult } from '../src/shared/jobs';
import { until, type Client } from '../test/unit/server/helpers';
import { cpuMsOf, machineBusyMs, type HubProcess } from './_hubProcess';
import { jobInfo, LINE_BYTES, mib, reporterFor, round, runProducer, stored, type IngestSetup } from './_ingestJob';

/** A hub under test, a viewer connected to it, and the producer's argv. */
export interface HubRun {
  setup: IngestSetup;
  hub: HubProcess;
  viewer: Client;
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
async function timed(run: HubRun, label: string, argv: string[], feed: (report: (chunk: Chunk) => void, argv: string[]) => Promise<Fed>) {
  const reporter = await reporterFor(run.setup, run.hub, `${run.name}-${label}`);
  try {
    const job = jobInfo(run.setup, argv);
    const start = performance.now();
    const cpuBefore = { hub: cpuMsOf(run.hub.pid), bench: process.cpuUsage(), machine: machineBusyMs() };
    reporter.started(job);
    const fed = await feed((chunk) => reporter.chunks(job.id, [chunk]), job.argv);
    const fedMs = performance.now() - start;
    reporter.finished(job.id, fed.result);
    await stored(run.setup, reporter, run.viewer, job, fed.lastSeq);
    const ms = performance.now() - start;
    const benchCpu = process.cpuUsage(cpuBefore.bench);
    const cpu_ms = {
      hub: cpuMsOf(run.hub.pid) - cpuBefore.hub,
      bench: Math.round((benchCpu.user + benchCpu.system) / 1000),
      machine: machineBusyMs() - cpuBefore.machine,
      available: Math.round(ms * os.cpus().length),
    };
    return { bytes: fed.bytes, chunks: fed.lastSeq + 1, fed_ms: Math.round(fedMs), stored_ms: Math.round(ms), mib_s: round(mib(fed.bytes) / (ms / 1000)), cpu_ms };
  } finally {
    await reporter.close(1000);
  }
}

/** `lines` of the producer through runner, reporter and hub, until stored; the chunks go to `keep` too. */
export function endToEnd(run: HubRun, lines: number, keep?: Chunk[]) {
  return timed(run, 'flood', run.producer(lines), async (report, argv) => {
      let bytes = 0;
      let lastSeq = -1;
      const { result } = await runProducer(run.setup, argv, (chunk) => {
        report(chunk);
        bytes += Buffer.byteLength(chunk.text);
        lastSeq = chunk.seq;
        keep?.push(chunk);
      });
      return { bytes, lastSeq, result };
  });
}

/** `chunks` (made by the runner beforehand) reported all at once, until stored: the hub alone. */
export function prepared(run: HubRun, chunks: readonly Chunk[]) {
  return timed(run, 'prepared', ['prepared'], async (report) => {
      let bytes = 0;
      for (const chunk of chunks) {
        report(chunk);
        bytes += Buffer.byteLength(chunk.text);
      }
      return { bytes, lastSeq: chunks.length - 1, result: { status: 'success', exitCode: 0, signal: null, durationMs: 0, finishedAt: Date.now() } };
  });
}

/** The producer paced at `bytesPerS` for `seconds`; a viewer that joined the job times each line's arrival. */
export async function latency(run: HubRun, bytesPerS: number, seconds: number) {
  const { setup, viewer } = run;
  const reporter = await reporterFor(setup, run.hub, `${run.name}-paced`);
  const lines = Math.round((bytesPerS * seconds) / LINE_BYTES);
  const latencies = new Float64Array(lines);
  /** Per line: written → its chunk handed to the reporter; per chunk: handed over → at the viewer. */
  const toRunner = new Float64Array(lines);
  const toViewer: number[] = [];
  const handedAt: number[] = [];
  let count = 0;
  try {
    const job = jobInfo(setup, run.producer(lines, bytesPerS));
    const onLog = (event: JobLogEvent): void => {
      if (event.jobId !== job.id) return;
      const now = epochNow();
      const handed = handedAt[event.seq]!;
      toViewer.push(now - handed);
      for (let at = event.chunk.indexOf('@'); at >= 0 && count < lines; at = event.chunk.indexOf('@', at + 1)) {
        const stamp = Number(event.chunk.slice(at + 1, event.chunk.indexOf(' ', at)));
        toRunner[count] = handed - stamp;
        latencies[count++] = now - stamp;
      }
    };
    viewer.on('job:log', onLog);
    reporter.started(job);
    await until(async () => ((await viewer.timeout(5000).emitWithAck('join-job', { jobId: job.id, fromSeq: 0 })) as { ok: boolean }).ok, 10_000, 'join-job');
    let lastSeq = -1;
    const { result } = await runProducer(setup, job.argv, (chunk) => {
      handedAt[chunk.seq] = epochNow();
      reporter.chunks(job.id, [chunk]);
      lastSeq = chunk.seq;
    });
    reporter.finished(job.id, result);
    await stored(setup, reporter, viewer, job, lastSeq);
    await until(() => count >= lines, 10_000, 'every paced line at the viewer');
    viewer.off('job:log', onLog);
    await viewer.timeout(5000).emitWithAck('leave-job', job.id);
    const sorted = latencies.slice(0, count).sort();
    const runnerLeg = toRunner.slice(0, count).sort();
    const hubLeg = Float64Array.from(toViewer).sort();
    return {
      lines: count,
      chunks: toViewer.length,
      mib_s: round(mib(bytesPerS)),
      p50_ms: round(percentile(sorted, 50)),
      p99_ms: round(percentile(sorted, 99)),
      max_ms: round(sorted[count - 1]!),
      // The two legs: written → chunk out of the runner (per line); chunk → viewer (per chunk).
      runner_p50_ms: round(percentile(runnerLeg, 50)),
      runner_p99_ms: round(percentile(runnerLeg, 99)),
      hub_p50_ms: round(percentile(hubLeg, 50)),
      hub_p99_ms: round(percentile(hubLeg, 99)),
    };
  } finally {
    await reporter.close(1000);
  }
}
