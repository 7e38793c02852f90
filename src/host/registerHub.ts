import { randomUUID } from 'node:crypto';
import path from 'node:path';
import * as vscode from 'vscode';
import { ensureHub } from '../core/hub/hubLauncher';
import { HubReporter } from '../core/hub/hubReporter';
import { forwardJobs } from '../core/jobs/forwardJobs';
import type { InMemoryRecorder } from '../core/jobs/inMemoryRecorder';
import type { JobService } from './jobs/jobService';
import { log } from './logger';

// Stores this window's jobs through the user's hub: finds it (or starts it, detached, with the
// editor's own Node) and reports every job to it, spooling while it is away. Running never
// depends on it: when the hub cannot start, jobs still run and the log says why they are not stored.
export function registerHub(context: vscode.ExtensionContext, recorder: InMemoryRecorder, jobs: JobService): void {
  let stop: (() => Promise<void>) | undefined;
  const start = async (): Promise<void> => {
    if (stop || !vscode.workspace.isTrusted) return;
    const stateDir = path.join(context.globalStorageUri.fsPath, 'hub');
    try {
      const hub = await ensureHub({
        serverScript: context.asAbsolutePath(path.join('dist', 'server.js')),
        stateDir,
        nodePath: process.execPath,
        env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
        version: String(context.extension.packageJSON.version),
      });
      // env.sessionId is not unique everywhere (code-server gives every window the same one).
      const windowId = randomUUID();
      const reporter = new HubReporter({
        url: hub.url,
        token: hub.tokens.operator,
        reporterId: windowId,
        // One folder per window: a reporter takes over every spool of its folder.
        spoolDir: path.join(context.globalStorageUri.fsPath, 'spool', windowId),
        onCancel: (jobId) => {
          if (!jobs.isRunning(jobId)) return false;
          jobs.cancel(jobId);
          return true;
        },
        log: (message) => log.info(`[hub] ${message}`),
      });
      const unforward = forwardJobs(recorder, reporter);
      stop = async () => {
        unforward();
        await reporter.close();
      };
      log.info(`Hub ${hub.url} ${hub.started ? 'started' : 'found'} (pid ${hub.pid}); jobs are stored there`);
    } catch (error) {
      log.warn(`Jobs of this window are not stored: the hub did not start (${(error as Error).message}); see ${path.join(stateDir, 'hub.log')}`);
    }
  };
  void start();
  context.subscriptions.push(
    vscode.workspace.onDidGrantWorkspaceTrust(() => void start()),
    { dispose: () => void stop?.() },
  );
}
