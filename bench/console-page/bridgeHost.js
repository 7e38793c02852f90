// @ts-check
/* global self, postMessage */
// For ?scenario=bridge&via=http: relays the console protocol between the page and a host that
// runs in the benchmark's Node process (bench/console.ts), over HTTP on the page's own origin
// (127.0.0.1). Host → webview: one streamed response of JSON lines, each an array of messages,
// parsed here and posted to the page one by one, as the fake host posts them; webview → host:
// POSTs of JSON arrays, one at a time, in order. Like VS Code's, the messages reach the page's
// main thread as structured clones, decoded elsewhere.

/** @type {unknown[]} */
let outgoing = [];
let posting = false;

self.onmessage = (event) => {
  if (event.data.kind !== 'protocol') return;
  outgoing.push(event.data.message);
  void send();
};

async function send() {
  if (posting) return;
  posting = true;
  try {
    while (outgoing.length > 0) {
      const batch = outgoing;
      outgoing = [];
      await fetch('/bridge/post', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch) });
    }
  } catch (error) {
    report({ type: 'bridge-error', message: String(error) });
  } finally {
    posting = false;
  }
}

async function receive() {
  const response = await fetch('/bridge/events', { cache: 'no-store' });
  if (!response.body) throw new Error('The bridge sent no body');
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  // The pieces of the line read so far: a line (up to ~1 MB) comes in many reads, and only each
  // new read is searched for its end, so that relaying costs the page's process as little as it can.
  /** @type {string[]} */
  let line = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    let start = 0;
    for (let end = value.indexOf('\n'); end >= 0; end = value.indexOf('\n', start)) {
      line.push(value.slice(start, end));
      for (const message of JSON.parse(line.join(''))) postMessage({ kind: 'protocol', message });
      line = [];
      start = end + 1;
    }
    if (start < value.length) line.push(value.slice(start));
  }
}

/** @param {Record<string, unknown>} event */
function report(event) {
  postMessage({ kind: 'bench', event: { ...event, at: performance.timeOrigin + performance.now() } });
}

receive().catch((error) => report({ type: 'bridge-error', message: String(error) }));
