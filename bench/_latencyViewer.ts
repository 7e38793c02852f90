// The ingest bench's latency viewer, in a process of its own as a dashboard is: it joins one job
// on the hub and, for each `job:log`, notes when it came (epoch ms) and how long after its
// producer wrote each line it holds (the `@<epoch ms>` stamps). Started by _ingestRuns.ts with
// IPC; told { url, token, jobId, lines }, it says { joined } once joined, and { arrivals,
// latencies } once every line came: arrivals [seq, at], latencies [seq, ms] per line.
import { io } from 'socket.io-client';
import type { JobLogEvent } from '../src/shared/hubProtocol';

interface Watch {
  url: string;
  token: string;
  jobId: string;
  lines: number;
}

const epochNow = (): number => performance.timeOrigin + performance.now();

process.once('message', (watch: Watch) => {
  const socket = io(`${watch.url}/jobs`, { auth: { token: watch.token }, transports: ['websocket'], reconnection: false, forceNew: true });
  const arrivals: [number, number][] = [];
  const latencies: [number, number][] = [];
  socket.on('job:log', (event: JobLogEvent) => {
    if (event.jobId !== watch.jobId) return;
    const now = epochNow();
    arrivals.push([event.seq, now]);
    for (let at = event.chunk.indexOf('@'); at >= 0; at = event.chunk.indexOf('@', at + 1)) {
      latencies.push([event.seq, now - Number(event.chunk.slice(at + 1, event.chunk.indexOf(' ', at)))]);
    }
    if (latencies.length >= watch.lines) {
      socket.close();
      process.send!({ arrivals, latencies }, () => process.exit(0));
    }
  });
  // The hub may not have stored the job's start yet: ask again until it has, for up to 10 s.
  const join = (deadline: number): void => {
    socket.timeout(5000).emit('join-job', { jobId: watch.jobId, fromSeq: 0 }, (error: Error | null, answer?: { ok: boolean }) => {
      const joined = !error && answer?.ok === true;
      if (joined || Date.now() > deadline) process.send!({ joined });
      else setTimeout(() => join(deadline), 20);
    });
  };
  socket.once('connect', () => join(Date.now() + 10_000));
  socket.once('connect_error', (error) => {
    process.send!({ joined: false, error: error.message }, () => process.exit(1));
  });
});
