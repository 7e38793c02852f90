// The job runner under a flood and at a trickle, on both transports. flood: 1,000,000 lines as
// fast as a Node program writes them: time, throughput, how many chunks. trickle: one line every
// 50 ms: how long each waits before its chunk is emitted. Goals: a flood makes chunks of 32 KB
// or more on average; a trickled line is emitted within 50 ms at the median.
import path from 'node:path';
import type { Chunk } from '../src/shared/jobs';
import { startJob } from '../src/core/exec/startJob';
import { machine } from './machine';

const LINES = 1_000_000;
const TICKS = 40;
const programs = path.join(__dirname, '../test/fixtures/programs');

async function run(usePty: boolean, program: string, args: string[]): Promise<{ chunks: Chunk[]; arrivals: number[]; ms: number }> {
  const chunks: Chunk[] = [];
  const arrivals: number[] = [];
  const start = performance.now();
  const job = startJob(
    { argv: [process.execPath, path.join(programs, program), ...args], usePty },
    {
      onChunk: (chunk) => {
        chunks.push(chunk);
        arrivals.push(Date.now());
      },
    },
  );
  const result = await job.done;
  if (result.status !== 'success') throw new Error(`${program} ended ${result.status}`);
  return { chunks, arrivals, ms: performance.now() - start };
}

async function flood(usePty: boolean): Promise<Record<string, number>> {
  const { chunks, ms } = await run(usePty, 'lines.js', [String(LINES)]);
  const bytes = chunks.reduce((n, c) => n + Buffer.byteLength(c.text), 0);
  return {
    ms: Math.round(ms),
    mb_per_s: Math.round((bytes / 2 ** 20 / (ms / 1000)) * 10) / 10,
    chunks: chunks.length,
    avg_chunk_kb: Math.round(bytes / chunks.length / 1024),
  };
}

async function trickle(usePty: boolean): Promise<Record<string, number>> {
  const { chunks, arrivals } = await run(usePty, 'ticks.js', [String(TICKS), '50']);
  const delays = chunks.flatMap((c, i) => [...c.text.matchAll(/tick (\d+)/g)].map((m) => arrivals[i] - Number(m[1]))).sort((a, b) => a - b);
  return { p50_ms: delays[Math.floor(delays.length / 2)], max_ms: delays[delays.length - 1] };
}

async function main(): Promise<void> {
  const result: Record<string, unknown> = { bench: 'runner', lines: LINES };
  let met = true;
  for (const [name, usePty] of [['pty', true], ['pipes', false]] as const) {
    const f = await flood(usePty);
    const t = await trickle(usePty);
    result[name] = { flood: f, trickle: t };
    met &&= f.avg_chunk_kb >= 32 && t.p50_ms <= 50;
  }
  console.log(JSON.stringify({ ...result, goals: { avg_chunk_kb: 32, trickle_p50_ms: 50 }, met, machine: machine() }));
}

void main();
