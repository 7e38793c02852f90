// The reporter's thread that reporterThread.ts starts: one HubReporter, fed the events its host
// thread hands over, asking that thread whenever the hub asks to cancel or run a job.
import { parentPort, workerData } from 'node:worker_threads';
import type { Ack, RunRequest } from '../../shared/hubProtocol';
import { assertNever, messageOf } from '../../shared/errors';
import { HubReporter } from './hubReporter';
import { replayOrphanSpools } from './orphanSpools';
import type { FromReporter, ReporterThreadData, ThreadEvent, ToReporter } from './reporterThread';

const port = parentPort!;
const post = (message: FromReporter): void => port.postMessage(message);

/** Requests to the host thread awaiting its answer. */
const asked = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
let nextId = 1;

function askHost(message: { type: 'cancel'; jobId: string } | { type: 'run'; request: RunRequest }): Promise<unknown> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    asked.set(id, { resolve, reject });
    post({ ...message, id });
  });
}

const { cancels, runs, ...options } = workerData as ReporterThreadData;
/** The hub reported to now: where spools of dead windows go too. */
let target = { url: options.url, token: options.token };
const log = (message: string): void => post({ type: 'log', message });

const reporter = new HubReporter({
  ...options,
  log,
  onConnected: (connected) => post({ type: 'connected', connected }),
  // Without them, HubReporter refuses such requests itself, with its own words.
  onCancel: cancels ? (jobId) => askHost({ type: 'cancel', jobId }) as Promise<boolean | void> : undefined,
  onRun: runs ? (request) => askHost({ type: 'run', request }) as Promise<Ack<{ jobId: string }>> : undefined,
});

function record(event: ThreadEvent): void {
  switch (event.type) {
    case 'started':
      return reporter.started(event.job);
    case 'chunks':
      return reporter.chunks(event.jobId, event.chunks);
    case 'finished':
      return reporter.finished(event.jobId, event.result);
    default:
      assertNever(event);
  }
}

port.on('message', (message: ToReporter) => {
  switch (message.type) {
    case 'events':
      for (const event of message.events) record(event);
      return;
    case 'retarget':
      target = { url: message.url, token: message.token };
      return reporter.retarget(message.url, message.token);
    case 'catalog':
      return reporter.catalog(message.snapshot);
    case 'idle':
      return void reporter.idle(message.timeoutMs).then((value) => post({ type: 'done', id: message.id, value }));
    case 'replayOrphans':
      return void replayOrphanSpools(message.root, { ...target, log }, message.timeoutMs)
        .catch((err: unknown) => {
          log(`The spools of closed windows were not sent: ${messageOf(err)}`);
          return { jobs: [], leftOver: [message.root] };
        })
        .then((value) => post({ type: 'done', id: message.id, value }));
    case 'close':
      return void reporter.close(message.timeoutMs).then(() => post({ type: 'done', id: message.id, value: undefined }));
    case 'answer': {
      const waiting = asked.get(message.id);
      asked.delete(message.id);
      if (message.ok) waiting?.resolve(message.value);
      else waiting?.reject(new Error(message.error));
      return;
    }
    default:
      assertNever(message);
  }
});
