// @ts-check
/* global window, document, location, requestAnimationFrame, Worker, HTMLElement */
// Runs before the console app on the dev page: picks the theme, starts the fake host worker,
// provides the app's transport (window.vmOrchestratorTransport), and records what the
// measurements need in window.consoleBench: frame times, heap samples, when the last line
// became visible, CSP violations, and the messages the app posted.
// With ?scenario=bridge the host is the real one, in the benchmark's Node process
// (bench/console.ts), and ?marker= is the last line to wait for. &via=http (default): the
// worker bridgeHost.js relays messages over HTTP. &via=evaluate: no worker; the app's messages
// go to window.vmoBridgePost (page.exposeBinding), the host's come through
// window.consoleBridge.deliver(json) (page.evaluate).

(function () {
  const params = new URLSearchParams(location.search);
  const theme = params.get('theme') ?? 'dark';
  document.documentElement.classList.add(`theme-${theme}`);
  document.addEventListener('DOMContentLoaded', () => {
    document.body.classList.add(theme === 'light' ? 'vscode-light' : theme === 'hc' ? 'vscode-high-contrast' : 'vscode-dark');
  });

  const bridged = params.get('scenario') === 'bridge';
  const via = params.get('via') === 'evaluate' ? 'evaluate' : 'http';
  const lines = Number(params.get('lines') ?? 1000);
  const maxLines = Number(params.get('maxLines') ?? 100_000);
  const config = {
    scenario: params.get('scenario') === 'flood' ? 'flood' : 'demo',
    lines,
    maxLines,
    needleAt: Number(params.get('needleAt') ?? Math.max(0, lines - Math.floor(Math.min(lines, maxLines) / 2))),
    needle: params.get('needle') ?? 'NEEDLE-7f3a',
    status: params.get('status') ?? 'running',
  };

  /**
   * @typedef {object} Bench
   * @property {Array<Record<string, unknown> & { type: string, at: number }>} events  from the fake host
   * @property {number[]} frames        the console's frames while streaming, each from when it asked for it (ms)
   * @property {number[]} frameStarts     when each of those frames began (epoch ms)
   * @property {number} heapPeak        bytes, performance.memory.usedJSHeapSize
   * @property {number} firstSentAt     epoch ms
   * @property {number} lastSentAt      epoch ms, 0 until the last chunk is sent
   * @property {number} lastVisibleAt   epoch ms, 0 until the last line is on screen
   * @property {boolean} caughtUp       set by the bench once the log has read all of the output
   * @property {string[]} violations    CSP violations
   * @property {Record<string, number>} posted  messages the app posted, by type
   * @property {boolean} demoDone
   * @property {number} delivered       bridge: host messages delivered
   * @property {number} deliverMs       bridge: main-thread time spent handing them to the app (and parsing them, via=evaluate)
   * @property {(query: string) => Promise<{ ms: number, status: string }>} find
   */

  /** @type {Bench} */
  const bench = {
    events: [],
    frames: [],
    frameStarts: [],
    heapPeak: 0,
    firstSentAt: 0,
    lastSentAt: 0,
    lastVisibleAt: 0,
    caughtUp: false,
    violations: [],
    posted: {},
    demoDone: false,
    delivered: 0,
    deliverMs: 0,
    find,
  };
  /** @type {any} */ (window).consoleBench = bench;
  document.addEventListener('securitypolicyviolation', (e) => bench.violations.push(`${e.violatedDirective}: ${e.blockedURI || e.sample}`));

  const worker = !bridged ? new Worker('fakeHost.js') : via === 'http' ? new Worker('bridgeHost.js') : null;
  if (!bridged) worker?.postMessage({ kind: 'config', config });
  /** @type {Set<(message: unknown) => void>} */
  const listeners = new Set();
  let marker = bridged ? (params.get('marker') ?? '') : '';

  /** Hands one host message to the app; with the bridge, notes when output starts and what it costs. @param {any} message */
  function dispatch(message) {
    if (!bridged) {
      for (const listener of listeners) listener(message);
      return;
    }
    const start = performance.now();
    if (bench.firstSentAt === 0 && message.type === 'console/append') {
      bench.firstSentAt = performance.timeOrigin + start;
      bench.events.push({ type: 'first-sent', at: bench.firstSentAt });
    }
    for (const listener of listeners) listener(message);
    bench.delivered++;
    bench.deliverMs += performance.now() - start;
  }

  if (worker) worker.onmessage = (event) => {
    const data = event.data;
    if (data.kind === 'protocol') {
      dispatch(data.message);
    } else if (data.kind === 'bench') {
      bench.events.push(data.event);
      if (data.event.type === 'first-sent') bench.firstSentAt = data.event.at;
      if (data.event.type === 'sent-last') {
        bench.lastSentAt = data.event.at;
        marker = data.event.marker;
      }
      if (data.event.type === 'demo-done') bench.demoDone = true;
    }
  };

  const stateKey = 'console-page-state';
  /** The app's transport: messages go to and come from the worker; state lives in sessionStorage, as VS Code keeps it for a tab. */
  /** @type {any} */ (window).vmOrchestratorTransport = {
    /** @param {{ type: string }} message */
    post(message) {
      bench.posted[message.type] = (bench.posted[message.type] ?? 0) + 1;
      if (worker) worker.postMessage({ kind: 'protocol', message });
      else /** @type {any} */ (window).vmoBridgePost?.(message);
    },
    /** @param {(message: unknown) => void} listener */
    onMessage(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    getState() {
      const raw = sessionStorage.getItem(stateKey);
      return raw ? JSON.parse(raw) : undefined;
    },
    /** @param {unknown} state */
    setState(state) {
      sessionStorage.setItem(stateKey, JSON.stringify(state));
    },
  };

  if (bridged && !worker) {
    /** @type {any} */ (window).consoleBridge = {
      /** Hands the host's messages (a JSON array) to the app. @param {string} json */
      deliver(json) {
        const start = performance.now();
        const messages = JSON.parse(json);
        bench.deliverMs += performance.now() - start;
        for (const message of messages) dispatch(message);
      },
    };
  }

  // Frames are measured as the console asks for them, so that measuring draws none of its own: a
  // requestAnimationFrame loop of the page's would keep the browser drawing 60 frames a second,
  // which the console does not while the newest output covers a flood, and which took a quarter
  // of a CPU from the job beside it. A frame's time runs from when the console asked for it (or
  // from its frame before, when it asked during that one) to the frame: about 16.7 ms at most on
  // time, more when the page's main thread held it up.
  const nativeRequestFrame = window.requestAnimationFrame.bind(window);
  /** When the last frame the console ran in began (rAF time), and whether a check of the last line is due. */
  let lastFrameAt = 0;
  let checkDue = false;
  /** @param {FrameRequestCallback} callback */
  window.requestAnimationFrame = (callback) => {
    const askedAt = performance.now();
    return nativeRequestFrame((t) => {
      if (t !== lastFrameAt) {
        const streaming = bench.firstSentAt > 0 && !bench.caughtUp;
        if (streaming) {
          bench.frames.push(Math.max(0, t - Math.max(lastFrameAt, askedAt)));
          bench.frameStarts.push(performance.timeOrigin + t);
        }
        lastFrameAt = t;
      }
      callback(t);
      if (marker && bench.lastVisibleAt === 0 && !checkDue) {
        // What the console drew in this frame is on screen in the next one.
        checkDue = true;
        nativeRequestFrame(checkLastLine);
      }
    });
  };

  function checkLastLine() {
    checkDue = false;
    // The log's rows, or the newest output shown over them while the log catches up.
    for (const rows of document.querySelectorAll('.rows')) {
      const lastRow = rows.lastElementChild;
      if (lastRow?.textContent?.includes(marker) && isOnScreen(lastRow)) bench.lastVisibleAt = performance.timeOrigin + performance.now();
    }
  }

  /** @type {any} */
  const memory = /** @type {any} */ (performance).memory;
  if (memory) setInterval(() => (bench.heapPeak = Math.max(bench.heapPeak, memory.usedJSHeapSize)), 250);

  /** @param {Element} element */
  function isOnScreen(element) {
    const log = document.querySelector('[role="log"]');
    if (!log) return false;
    const r = element.getBoundingClientRect();
    const l = log.getBoundingClientRect();
    return r.bottom > l.top && r.top < l.bottom;
  }

  /**
   * Types `query` into the open find bar at once and resolves when the count is final.
   * @param {string} query
   */
  function find(query) {
    return new Promise((resolve, reject) => {
      const field = document.querySelector('vscode-textfield');
      const input = field?.shadowRoot?.querySelector('input');
      if (!input) {
        reject(new Error('The find bar is not open'));
        return;
      }
      const start = performance.now();
      input.value = query;
      input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
      const poll = () => {
        const status = document.querySelector('[data-find-state]');
        const text = status?.textContent ?? '';
        if (status instanceof HTMLElement && status.dataset.findState === 'done' && /\bof\b|No results/.test(text)) {
          resolve({ ms: performance.now() - start, status: text.trim() });
        } else if (performance.now() - start > 30_000) {
          reject(new Error(`Find did not finish: ${text}`));
        } else {
          requestAnimationFrame(poll);
        }
      };
      requestAnimationFrame(poll);
    });
  }
})();
