import { randomUUID } from 'node:crypto';
import path from 'node:path';
import * as vscode from 'vscode';
import type { RunJob } from '../core/hub/runAnswers';
import { claimSpoolFolder } from '../core/hub/orphanSpools';
import { newReporterKey } from '../core/hub/reporterKey';
import { ReporterThread } from '../core/hub/reporterThread';
import { forwardJobs } from '../core/jobs/forwardJobs';
import type { InMemoryRecorder } from '../core/jobs/inMemoryRecorder';
import type { CatalogSnapshot } from '../shared/catalog';
import { CommandIds } from '../shared/ids';
import { afterActivation } from './afterActivation';
import { registerCommand } from './commands/registerCommand';
import { onSettingsChanged, settings } from './config';
import { HUB_TOKEN_SECRET, resolveHub, setHubToken, type HubAddress } from './hub/hubAddress';
import type { JobService } from './jobs/jobService';
import { log } from './logger';

/** The reporter's thread, beside the extension's bundle. */
const REPORTER_THREAD = path.join(__dirname, 'reporterWorker.js');

/** A reporter's thread that stopped is started again only if the last one to stop did so longer ago than this. */
const REPORTER_RETRY_MS = 60_000;

/** How often a window checks that its own hub still answers, and starts it again if not. */
const WATCH_MS = 5000;

/** After a hub that could not be reached or started, the next try comes this long after, doubling up to RETRY_MAX_MS. */
const RETRY_FIRST_MS = 15_000;
const RETRY_MAX_MS = 5 * 60_000;

/** The hub this window reports to, for those who also read from it (the Jobs view). */
export interface HubLink {
  readonly address: HubAddress | undefined;
  readonly onDidChange: vscode.Event<HubAddress | undefined>;
  /** What discovery found; the hub gets the latest, now or once a hub is reached. */
  reportCatalog(snapshot: CatalogSnapshot): void;
  /** Sends what is still unreported (spooling what the hub has not stored after `timeoutMs`) and disconnects. */
  close(timeoutMs?: number): Promise<void>;
  /** Says how this window answers the hub's requests to run a target; until then it refuses them. */
  takeRuns(run: RunJob): vscode.Disposable;
}

// Stores this window's jobs through a hub: the shared one of `hub.url`, or the user's own (found,
// or started detached with the editor's own Node). Every job is reported, spooled while the hub
// is away; spools of windows that died are sent too. Running never depends on it: without a hub
// jobs still run and the log says why they are not stored.
export function registerHub(context: vscode.ExtensionContext, recorder: InMemoryRecorder, jobs: JobService): HubLink {
  const changed = new vscode.EventEmitter<HubAddress | undefined>();
  const spoolRoot = path.join(context.globalStorageUri.fsPath, 'spool');
  let current: { address: HubAddress; reporter: ReporterThread; stop: (timeoutMs: number) => Promise<void> } | undefined;
  let catalog: CatalogSnapshot | undefined;
  let runs: RunJob | undefined;
  let starting: Promise<void> | undefined;
  let lastLoss = 0;
  // A hub that did not start (a slow first start of its database on a busy machine, a full disk)
  // is tried again, with the jobs run meanwhile passed on once it answers.
  let retry: NodeJS.Timeout | undefined;
  let retryMs = RETRY_FIRST_MS;
  // One for the window's life: a reporter started again after a fault (or a change of settings)
  // goes on with the jobs the window started, which the hub lets only this key report.
  const reporterKey = newReporterKey();
  /** The spool folders of this window's earlier reporters (a change of settings, a fault), released as it ends. */
  const earlierSpools: { release(): void }[] = [];

  const connect = async (): Promise<void> => {
    if (current) return;
    if (!vscode.workspace.isTrusted) return log.info('Restricted Mode: no hub is started or reached until this workspace is trusted');
    const s = settings();
    let address: HubAddress | undefined;
    try {
      address = await resolveHub(context, s);
    } catch (error) {
      log.warn(`Jobs of this window are not stored yet: the hub did not start (${(error as Error).message}); trying again in ${retryMs / 1000} s; see ${path.join(context.globalStorageUri.fsPath, 'hub', 'hub.log')}`);
      retry = setTimeout(() => void start(), retryMs);
      retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
    }
    if (!address) return;
    retryMs = RETRY_FIRST_MS;
    // env.sessionId is not unique everywhere (code-server gives every window the same one).
    const windowId = randomUUID();
    const spool = claimSpoolFolder(spoolRoot, windowId);
    const hubLog = (message: string): void => log.info(`[hub] ${message}`);
    const reporter = new ReporterThread(
      REPORTER_THREAD,
      {
        url: address.url,
        token: address.token,
        reporterId: windowId,
        spoolDir: spool.dir,
        key: reporterKey,
        onCancel: (jobId) => {
          if (!jobs.isRunning(jobId)) return false;
          jobs.cancel(jobId);
          return true;
        },
        onRun: (request) => (runs ? runs(request) : Promise.resolve({ ok: false, error: 'This window is still starting' })),
        log: hubLog,
      },
      // A fault of the reporter, not of the hub: a new one takes over, and is handed every job this
      // window still holds; the hub stores again only what it lacks. Once a minute at most, so
      // that a thread that cannot run is not started again and again.
      (err) => {
        const again = Date.now() - lastLoss > REPORTER_RETRY_MS;
        lastLoss = Date.now();
        if (!again) return log.error(`${err.message} again within a minute; jobs of this window are not stored until the window is reloaded`);
        log.error(`${err.message}; reporting to the hub again`);
        restart();
      },
    );
    const forwarding = forwardJobs(recorder, reporter);
    forwarding.caughtUp.catch((error: unknown) => log.error(`Jobs run before the hub was reached were not all passed on to it: ${(error as Error).message}`));
    const watch = address.own ? setInterval(() => void restartIfGone(reporter), WATCH_MS) : undefined;
    if (catalog) reporter.catalog(catalog);
    current = {
      address,
      reporter,
      stop: async (timeoutMs) => {
        clearInterval(watch);
        forwarding.stop();
        await reporter.close(timeoutMs);
        // Kept claimed until the window ends: what is left in it belongs to jobs this window still
        // runs, which the next reporter is handed whole. Released now, the next reporter would
        // replay it as a dead window's and end those jobs as interrupted while they run.
        earlierSpools.push(spool.lock);
      },
    };
    log.info(`Hub ${address.url} ${address.how}; jobs are stored there`);
    changed.fire(address);
    void reporter.replayOrphans(spoolRoot).then(({ jobs: sent, leftOver }) => {
      if (sent.length > 0) log.info(`Sent ${sent.length} job(s) spooled by closed windows to the hub`);
      if (leftOver.length > 0) log.warn(`The hub did not store the spools in ${leftOver.join(', ')} in time; they are sent again at the next start`);
    });
  };

  // The own hub crashed or was stopped: a reporter that stays disconnected points at a new one.
  let missed = 0;
  const restartIfGone = async (reporter: ReporterThread): Promise<void> => {
    missed = reporter.connected ? 0 : missed + 1;
    if (missed < 2 || !current?.address.own) return;
    missed = 0;
    try {
      const address = await resolveHub(context, settings());
      if (current?.address.own && address && address.url !== current.address.url) {
        log.info(`Hub ${address.url} ${address.how}; the spooled jobs of this window go there`);
        reporter.retarget(address.url, address.token);
        current.address = address;
        changed.fire(address);
      }
    } catch (error) {
      log.warn(`The hub is gone and did not start again: ${(error as Error).message}`);
    }
  };

  const start = (): Promise<void> => (starting ??= connect().finally(() => (starting = undefined)));
  const stop = async (timeoutMs = 3000): Promise<void> => {
    clearTimeout(retry);
    await starting;
    const was = current;
    current = undefined;
    if (was) {
      await was.stop(timeoutMs);
      changed.fire(undefined);
    }
  };
  const restart = (): void => void stop().then(start);

  // Finding the hub reads its state file and asks it over HTTP; starting one spawns it.
  afterActivation(() => void start());
  context.subscriptions.push(
    changed,
    { dispose: () => clearTimeout(retry) },
    { dispose: () => earlierSpools.splice(0).forEach((lock) => lock.release()) },
    vscode.workspace.onDidGrantWorkspaceTrust(() => void start()),
    onSettingsChanged('hub', restart),
    onSettingsChanged('history', restart),
    context.secrets.onDidChange((e) => e.key === HUB_TOKEN_SECRET && settings().hubUrl && restart()),
    registerCommand(CommandIds.setHubToken, () => setHubToken(context)),
  );
  return {
    get address() {
      return current?.address;
    },
    onDidChange: changed.event,
    reportCatalog(snapshot) {
      catalog = snapshot;
      current?.reporter.catalog(snapshot);
    },
    close: stop,
    takeRuns(run) {
      runs = run;
      return { dispose: () => runs === run && (runs = undefined) };
    },
  };
}
