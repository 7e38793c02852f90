// The console bench's producer (producer.mjs) and its runs that need no page: to /dev/null, and
// through the job runner into a recorder nobody reads.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, openSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { startJob, type RunningJob } from '../../src/core/exec/startJob';
import { InMemoryRecorder } from '../../src/core/jobs/inMemoryRecorder';
import type { JobInfo } from '../../src/shared/jobs';
import { cpuSnapshot } from './cpuTimes';
import { readTimes } from './terminal';

/** A run of producer.mjs: `lines` lines, the needle early on, `marker` last. */
export interface Producer {
  lines: number;
  needleAt: number;
  marker: string;
  argv: string[];
}

/** What must be stopped if the benchmark ends early. */
export interface Live {
  children: Set<ChildProcess>;
  jobs: Set<RunningJob>;
  browser: Browser | undefined;
}

/** What a run of the producer through the runner took: `ms` spawn to onExit, the rest as the producer recorded it. */
export interface Produced {
  ms: number;
  lifetimeMs: number;
  exitAt: number;
  onExitAt: number;
  cpuMs: number;
  bytes: number;
  chunks: number;
  transport: string;
}

const epochNow = (): number => performance.timeOrigin + performance.now();

// The producer writes when it started and exited, and its CPU time, to `exitFile` (in `tmp`) as it
// exits: the runner reports the exit later, once the output has been read.
export class ProducerRuns {
  /** The CPU time the producer used in each raw run. */
  readonly rawCpuMs: number[] = [];
  readonly exitFile: string;

  constructor(
    private readonly tmp: string,
    private readonly needle: string,
    private readonly live: Live,
  ) {
    this.exitFile = path.join(tmp, 'exited-at');
  }

  producer(lines: number): Producer {
    // Early in the output, so that with maxLines 100,000 it has been dropped from the webview.
    const needleAt = Math.floor(lines * 0.123);
    const marker = `END-OF-STREAM ${lines}`;
    return { lines, needleAt, marker, argv: [process.execPath, path.join(__dirname, 'producer.mjs'), String(lines), String(needleAt), this.needle, marker, this.exitFile] };
  }

  /** `run` with stdout to /dev/null: spawn to exit, in ms. */
  async raw(run: Producer): Promise<number> {
    rmSync(this.exitFile, { force: true });
    const devNull = openSync('/dev/null', 'w');
    try {
      const start = performance.now();
      const child = spawn(run.argv[0]!, run.argv.slice(1), { stdio: ['ignore', devNull, 'inherit'] });
      this.live.children.add(child);
      const code = await new Promise<number | null>((resolve, reject) => {
        child.once('error', reject);
        child.once('exit', resolve);
      });
      this.live.children.delete(child);
      if (code !== 0) throw new Error(`The producer exited with ${code}`);
      const ms = performance.now() - start;
      this.rawCpuMs.push(readTimes(this.exitFile)!.cpuMs);
      return ms;
    } finally {
      closeSync(devNull);
    }
  }

  jobInfo(run: Producer): JobInfo {
    return {
      id: randomUUID(),
      kind: 'target',
      mode: 'console',
      title: 'producer',
      argv: run.argv.slice(),
      cwd: this.tmp,
      hostname: os.hostname(),
      startedAt: Date.now(),
      status: 'running',
    };
  }

  /** Starts the producer as the console does, its chunks going into `recorder`; resolves at onExit. */
  throughRunner(recorder: InMemoryRecorder, job: JobInfo, usePty: boolean): Promise<Produced> {
    return new Promise((resolve, reject) => {
      let bytes = 0;
      let chunks = 0;
      rmSync(this.exitFile, { force: true });
      const start = performance.now();
      const running = startJob(
        { argv: job.argv, cwd: job.cwd, usePty, cols: 160, rows: 40 },
        {
          graceMs: 1000,
          onChunk: (chunk) => {
            bytes += Buffer.byteLength(chunk.text);
            chunks++;
            recorder.chunks(job.id, [chunk]);
          },
          onExit: (result) => {
            const ms = performance.now() - start;
            const onExitAt = epochNow();
            this.live.jobs.delete(running);
            recorder.finished(job.id, result);
            if (result.status !== 'success') reject(new Error(`The producer ended ${result.status} (${result.exitCode})`));
            else {
              const exited = readTimes(this.exitFile)!;
              const lifetimeMs = exited.at - exited.startedAt;
              resolve({ ms, lifetimeMs, exitAt: exited.at, onExitAt, cpuMs: exited.cpuMs, bytes, chunks, transport: running.transport });
            }
          },
        },
      );
      this.live.jobs.add(running);
      if (usePty && running.transport !== 'pty') reject(new Error(`No pseudo-terminal: ${running.ptyError}`));
    });
  }

  /** The runner alone, into a recorder nobody reads: what the pty costs without any console. */
  async runnerOnly(run: Producer, usePty: boolean): Promise<{ ms: number; cpu: { producer: number; host: number } }> {
    const recorder = new InMemoryRecorder({ spillDir: path.join(this.tmp, 'spill') });
    const job = this.jobInfo(run);
    recorder.started(job);
    try {
      const before = cpuSnapshot();
      const produced = await this.throughRunner(recorder, job, usePty);
      return { ms: produced.ms, cpu: { producer: Math.round(produced.cpuMs), host: cpuSnapshot().host - before.host } };
    } finally {
      recorder.dispose();
    }
  }
}
