import path from 'node:path';
import * as vscode from 'vscode';
import { ensureHub } from '../../core/hub/hubLauncher';
import { CommandIds } from '../../shared/ids';
import type { Settings } from '../config';

/** Where this window's jobs go: a hub and an operator token for it. */
export interface HubAddress {
  url: string;
  /** An operator token: reports jobs, cancels. */
  token: string;
  /** The token the dashboard is opened with: a viewer token of the own hub, else the operator one. */
  viewerToken: string;
  /** A hub of the user's own, which this window may start again when it is gone. */
  own: boolean;
  /** For the log: how it was found. */
  how: string;
}

/** The key of the shared hub's operator token in VS Code's secret storage. */
export const HUB_TOKEN_SECRET = 'vmOrchestrator.hubToken';

/** The flags of the user's own hub that come from settings. */
export function ownHubArgs(s: Settings): string[] {
  const webhooks = s.webhooks.length > 0 ? [...s.webhooks.flatMap((url) => ['--webhook', url.trim()]), '--webhook-on', s.webhookOn] : [];
  return ['--retention-days', String(s.retentionDays), '--retention-jobs', String(s.retentionJobs), ...webhooks];
}

// The shared hub of `hub.url` with the token from secret storage (team mode), or the user's own
// hub, found or started. Undefined when team mode lacks its token; the user is told what to do.
export async function resolveHub(context: vscode.ExtensionContext, s: Settings): Promise<HubAddress | undefined> {
  if (s.hubUrl) {
    const url = s.hubUrl.replace(/\/+$/, '');
    if (!/^https?:\/\/[^/]+$/.test(url)) throw new Error(`vmOrchestrator.hub.url must be http(s)://host[:port], got ${JSON.stringify(s.hubUrl)}`);
    const token = await context.secrets.get(HUB_TOKEN_SECRET);
    if (!token) {
      void vscode.window
        .showWarningMessage(`VM Orchestrator: the hub ${url} needs an operator token; jobs are not stored until you set it.`, 'Set Hub Token')
        .then((choice) => choice && vscode.commands.executeCommand(CommandIds.setHubToken));
      return undefined;
    }
    return { url, token, viewerToken: token, own: false, how: 'shared (vmOrchestrator.hub.url)' };
  }
  const stateDir = path.join(context.globalStorageUri.fsPath, 'hub');
  const hub = await ensureHub({
    serverScript: context.asAbsolutePath(path.join('dist', 'server.js')),
    stateDir,
    nodePath: process.execPath,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    version: String(context.extension.packageJSON.version),
    ...(s.hubDatabase ? { database: s.hubDatabase } : {}),
    hubArgs: ownHubArgs(s),
  });
  return { url: hub.url, token: hub.tokens.operator, viewerToken: hub.tokens.viewer, own: true, how: `${hub.started ? 'started' : 'found'} (pid ${hub.pid})` };
}

/** *Set Hub Token*: asks for the shared hub's operator token and keeps it in secret storage. */
export async function setHubToken(context: vscode.ExtensionContext): Promise<void> {
  const token = await vscode.window.showInputBox({
    title: 'Operator token of the shared hub',
    prompt: 'A line of the hub\'s token file reads "operator <token>"; paste the token. Empty removes the stored one.',
    password: true,
    ignoreFocusOut: true,
  });
  if (token === undefined) return;
  if (token.trim() === '') await context.secrets.delete(HUB_TOKEN_SECRET);
  else await context.secrets.store(HUB_TOKEN_SECRET, token.trim());
}

/** Why this window has no hub, ending a sentence that says what cannot be done (`…, so the history cannot be shown`). */
export function noHubMessage(consequence: string): string {
  // In Restricted Mode no hub is started or reached, and the log says nothing more.
  if (!vscode.workspace.isTrusted) return `This workspace is in Restricted Mode and no hub is started until you trust it (Manage Workspace Trust), so ${consequence}.`;
  return `No hub is connected, so ${consequence}. See VM Orchestrator: Show Log.`;
}
