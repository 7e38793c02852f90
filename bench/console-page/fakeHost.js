// @ts-check
/* global self, postMessage */
// The host side of the console protocol, in a worker so that generating output does not
// take the page's main thread (in VS Code the host is another process too). It answers
// `ready` with `console/init`, streams generated output in `console/append` batches of at most
// 64 KB while no more than the credit window is unacknowledged, answers `console/fetch-older`,
// and reports when it sent the last chunk.

/** @typedef {import('../../src/shared/jobs').Chunk} Chunk */
/** @typedef {import('../../src/shared/jobs').JobInfo} JobInfo */
/** @typedef {import('../../src/shared/protocol').HostToConsoleMessage} HostToConsoleMessage */
/** @typedef {import('../../src/shared/protocol').ConsoleToHostMessage} ConsoleToHostMessage */

/**
 * @typedef {object} FakeHostConfig
 * @property {'demo' | 'flood'} scenario
 * @property {number} lines         flood: how many lines
 * @property {number} maxLines      the `maxLines` option sent in `console/init`
 * @property {number} needleAt      flood: the line that holds the rare string
 * @property {string} needle
 * @property {'running' | 'success' | 'failed'} status  demo: how the job ends
 */

const ESC = '\x1b';
const BATCH_CHARS = 64 * 1024;
const LINES_PER_CHUNK = 40;
const END_MARKER = 'END-OF-STREAM';
const DEMO_JOB_ID = '5f0c6b8e-1f2a-4c3d-9e8f-0a1b2c3d4e5f';

/** @type {FakeHostConfig} */
let config = { scenario: 'demo', lines: 1000, maxLines: 100_000, needleAt: -1, needle: 'NEEDLE-7f3a', status: 'running' };
/** @type {JobInfo | null} */
let job = null;
let creditWindow = 1024 * 1024;
let sent = 0;
let consumed = 0;
let nextSeq = 0;
let lastSeq = -1;
let finished = false;
let firstSentReported = false;
/** demo: the chunks to send, in order, with a pause before each. @type {Array<{ chunk: Omit<Chunk, 'seq' | 'ts'>, delay: number }>} */
let script = [];
let scriptTimer = 0;

/** @param {HostToConsoleMessage} message */
function toWebview(message) {
  postMessage({ kind: 'protocol', message });
}

/** @param {Record<string, unknown>} event */
function report(event) {
  postMessage({ kind: 'bench', event: { ...event, at: performance.timeOrigin + performance.now() } });
}

self.onmessage = (event) => {
  const data = event.data;
  if (data.kind === 'config') config = { ...config, ...data.config };
  else if (data.kind === 'protocol') handle(data.message);
};

/** @param {ConsoleToHostMessage} message */
function handle(message) {
  switch (message.type) {
    case 'ready':
      creditWindow = message.creditWindow;
      // A recreated tab shows the job this host still has, from its tail, as the real host does.
      start(job?.id);
      break;
    case 'console/credit':
      if (job && message.jobId === job.id) {
        consumed = message.consumed;
        pump();
      }
      break;
    case 'console/fetch-older':
      if (job && message.jobId === job.id) older(message.beforeSeq, message.maxChars);
      break;
    case 'job/cancel':
      if (job && job.status === 'running') finish('canceled', null);
      break;
    case 'job/rerun':
      start(undefined);
      break;
    default:
      // save, open-as-text, open-link: nothing to do here, the page records them.
      break;
  }
}

/** @param {string | undefined} jobId */
function start(jobId) {
  clearTimeout(scriptTimer);
  const demo = config.scenario === 'demo';
  job = {
    // The demo job keeps its id across reloads, as a job does across a hidden tab's new webview: the
    // console restores its view only for the same job.
    id: jobId ?? (demo ? DEMO_JOB_ID : crypto.randomUUID()),
    kind: 'target',
    mode: 'console',
    title: demo ? 'web build' : 'flood',
    argv: demo ? ['make', '-C', '/srv/projects/web app', 'build', 'VERBOSE=1'] : ['flood', `--lines=${config.lines}`],
    cwd: demo ? '/srv/projects/web app' : '/tmp',
    alias: 'web',
    target: 'build',
    hostname: 'devbox',
    startedAt: Date.now() - (demo ? 83_000 : 0),
    status: 'running',
  };
  sent = 0;
  consumed = 0;
  nextSeq = 0;
  lastSeq = -1;
  finished = false;
  firstSentReported = false;
  toWebview({
    type: 'console/init',
    job,
    options: { maxLines: config.maxLines, wrap: false, timestamps: false, follow: true },
    canFetchOlder: !demo,
  });
  if (demo) {
    script = demoScript();
    playScript();
  } else {
    pump();
  }
}

/** @param {'success' | 'failed' | 'canceled'} status @param {number | null} exitCode */
function finish(status, exitCode) {
  if (!job) return;
  finished = true;
  const finishedAt = Date.now();
  job = { ...job, status, exitCode, finishedAt, durationMs: finishedAt - job.startedAt };
  toWebview({ type: 'console/status', jobId: job.id, status, exitCode, durationMs: job.durationMs, finishedAt });
}

// ── flood: deterministic lines, so any chunk can be made again for fetch-older ──

const WORDS = ['GET', 'POST', 'PUT', 'DELETE'];

/** @param {number} n */
function floodLine(n) {
  if (n === config.lines - 1) return `${END_MARKER} ${config.lines}`;
  let text = `${String(n).padStart(7, '0')} 2026-05-01T12:${String((n >> 10) % 60).padStart(2, '0')}:00Z INFO worker-${n % 8} ${WORDS[n % 4]} /api/items/${n % 9973} 200 in ${n % 97} ms`;
  if (n % 50 === 7) text = `${ESC}[32m✓${ESC}[0m ${text} ${ESC}[2m(cached)${ESC}[22m`;
  if (n % 500 === 11) text = `${ESC}[33mwarn${ESC}[39m ${text} see src/server/items.ts:${n % 400}:7`;
  if (n % 1000 === 123) text = `progress  10%\r progress  55%\r progress 100% ${text}`;
  if (n === config.needleAt) text += ` ${config.needle}`;
  return text.padEnd(98, ' .');
}

/** @param {number} seq @returns {Chunk} */
function floodChunk(seq) {
  const first = seq * LINES_PER_CHUNK;
  const last = Math.min(config.lines, first + LINES_PER_CHUNK);
  let text = '';
  for (let n = first; n < last; n++) text += floodLine(n) + '\n';
  return { seq, ts: Date.now(), stream: seq % 97 === 5 ? 'stderr' : 'stdout', text };
}

function floodChunks() {
  return Math.ceil(config.lines / LINES_PER_CHUNK);
}

/** Sends as much as the credit window allows. */
function pump() {
  if (!job || config.scenario !== 'flood' || finished) return;
  const total = floodChunks();
  while (nextSeq < total && sent - consumed < creditWindow) {
    /** @type {Chunk[]} */
    const chunks = [];
    let size = 0;
    while (nextSeq < total && size < BATCH_CHARS) {
      const chunk = floodChunk(nextSeq);
      if (chunks.length > 0 && sent + size + chunk.text.length - consumed > creditWindow) break;
      chunks.push(chunk);
      size += chunk.text.length;
      nextSeq++;
    }
    if (chunks.length === 0) break;
    sent += size;
    lastSeq = chunks[chunks.length - 1].seq;
    toWebview({ type: 'console/append', jobId: job.id, chunks });
    if (!firstSentReported) {
      firstSentReported = true;
      report({ type: 'first-sent' });
    }
  }
  if (nextSeq >= total) {
    report({ type: 'sent-last', lines: config.lines, chars: sent, marker: `${END_MARKER} ${config.lines}` });
    finish('success', 0);
  }
}

/** @param {number} beforeSeq @param {number} maxChars */
function older(beforeSeq, maxChars) {
  if (!job) return;
  /** @type {Chunk[]} */
  const chunks = [];
  let size = 0;
  let seq = Math.min(beforeSeq, lastSeq + 1) - 1;
  if (config.scenario === 'flood') {
    for (; seq >= 0 && size < maxChars; seq--) {
      const chunk = floodChunk(seq);
      chunks.unshift(chunk);
      size += chunk.text.length;
    }
  }
  toWebview({ type: 'console/older', jobId: job.id, chunks, hasMore: seq >= 0 });
}

// ── demo: what a build prints, for screenshots ──

function demoScript() {
  /** @type {Array<{ chunk: Omit<Chunk, 'seq' | 'ts'>, delay: number }>} */
  const steps = [];
  /** @param {'stdout' | 'stderr' | 'system'} stream @param {string} text @param {number} [delay] */
  const add = (stream, text, delay = 0) => steps.push({ chunk: { stream, text }, delay });
  const names = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'];
  add('system', '$ make -C \'/srv/projects/web app\' build VERBOSE=1\n');
  add('stdout', `${ESC}[1mBuilding web${ESC}[0m  ${ESC}[2m(make 4.3, 8 jobs)${ESC}[0m\n`);
  add('stdout', names.map((n, i) => `${ESC}[3${i}m${n}${ESC}[0m`).join(' ') + '\n');
  add('stdout', names.map((n, i) => `${ESC}[9${i}m${n}${ESC}[0m`).join(' ') + '\n');
  add('stdout', names.map((n, i) => `${ESC}[4${i}m${ESC}[3${i === 0 ? 7 : 0}m ${n} ${ESC}[0m`).join('') + '\n');
  let cube = '';
  for (let i = 16; i < 232; i += 6) cube += `${ESC}[48;5;${i}m  `;
  add('stdout', `256:  ${cube}${ESC}[0m\n`);
  let ramp = '';
  for (let i = 0; i < 72; i++) {
    const r = Math.round(255 * Math.max(0, Math.cos((i / 72) * Math.PI)));
    const g = Math.round(255 * Math.sin((i / 72) * Math.PI));
    const b = Math.round(255 * Math.max(0, -Math.cos((i / 72) * Math.PI)));
    ramp += `${ESC}[48;2;${r};${g};${b}m `;
  }
  add('stdout', `24-bit: ${ramp}${ESC}[0m\n`);
  add('stdout', `${ESC}[1mbold${ESC}[0m ${ESC}[2mdim${ESC}[0m ${ESC}[3mitalic${ESC}[0m ${ESC}[4munderline${ESC}[0m ${ESC}[7minverse${ESC}[0m ${ESC}[9mstrike${ESC}[0m ${ESC}[1;4;38;2;255;140;0mbold underlined orange${ESC}[0m\n`);
  add('stdout', `  ${ESC}[36mCC${ESC}[0m      src/server/main.o\n  ${ESC}[36mCC${ESC}[0m      src/server/routes.o\n`);
  add('stderr', `src/server/routes.c:42:7: ${ESC}[1;35mwarning:${ESC}[0m unused variable ${ESC}[1m'retries'${ESC}[0m [-Wunused-variable]\n`);
  add('stdout', `  ${ESC}[36mLD${ESC}[0m      build/web-server\n`);
  add('stdout', 'Docs: https://example.com/docs/build?target=web (see section 3).\n');
  for (let p = 0; p <= 100; p += 5) {
    const bar = '='.repeat(p / 5) + (p < 100 ? '>' : '') + ' '.repeat(20 - p / 5);
    add('stdout', `\rDownloading assets [${bar}] ${String(p).padStart(3)}%`, 40);
  }
  add('stdout', '\n');
  for (let i = 1; i <= 24; i++) {
    add('stdout', `[${String(i).padStart(2)}/24] bundling chunk-${i}.js ${ESC}[2m(${(i * 37) % 200} kB)${ESC}[0m\n`, 5);
  }
  if (config.status === 'running') {
    // Ends in a progress line still being written.
    add('stdout', `Uploading build/web-server [=========>          ]  47%`);
    return steps;
  }
  if (config.status === 'success') {
    add('stdout', `${ESC}[32m✓${ESC}[0m 212 tests passed\n`);
    add('system', 'The job ended with exit code 0.\n');
    return steps;
  }
  add('stderr', `${ESC}[31merror${ESC}[0m: test ${ESC}[1mapi/items returns 404 for unknown ids${ESC}[0m failed\n`);
  add('stderr', `    at Object.<anonymous> (/srv/projects/web/test/items.test.js:88:13)\n`);
  add('stderr', `make: *** [Makefile:27: test] Error 1\n`);
  add('system', 'The job ended with exit code 2.\n');
  return steps;
}

function playScript() {
  const step = script.shift();
  if (!step || !job) {
    if (job && config.status !== 'running') finish(config.status, config.status === 'success' ? 0 : 2);
    report({ type: 'demo-done' });
    return;
  }
  scriptTimer = setTimeout(() => {
    if (!job) return;
    const chunk = { ...step.chunk, seq: nextSeq++, ts: Date.now() };
    toWebview({ type: 'console/append', jobId: job.id, chunks: [chunk] });
    playScript();
  }, step.delay);
}
