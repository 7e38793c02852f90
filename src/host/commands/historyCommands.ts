import * as vscode from 'vscode';
import { CommandIds } from '../../shared/ids';
import type { StoredJobs } from '../jobs/storedJobs';
import { HistoryPanel } from '../panels/historyPanel';
import type { HubLink } from '../registerHub';
import { registerCommand } from './registerCommand';

// The history tab, and the hub's dashboard page in a browser.
export function registerHistoryCommands(extensionUri: vscode.Uri, stored: StoredJobs, hub: HubLink): vscode.Disposable[] {
  return [
    registerCommand(CommandIds.showJobHistory, () => HistoryPanel.show(extensionUri, stored)),
    registerCommand(CommandIds.openDashboard, async () => {
      await vscode.env.openExternal(await dashboardUri(hub));
    }),
    registerCommand(CommandIds.copyDashboardUrl, async () => {
      await vscode.env.clipboard.writeText((await dashboardUri(hub)).toString(true));
      void vscode.window.showInformationMessage('Copied the dashboard URL. It holds a token that reads every job: share it only with whom may.');
    }),
  ];
}

// The hub's page with a token in the fragment, which browsers never send to a server nor put in
// a Referer; the page takes it from there and clears it from the address bar. Where the editor
// runs on another machine (code-server, remote), VS Code maps the hub's loopback port.
async function dashboardUri(hub: HubLink): Promise<vscode.Uri> {
  const address = hub.address;
  if (!address) throw new Error('No hub is connected, so there is no dashboard to open. See VM Orchestrator: Show Log.');
  const external = await vscode.env.asExternalUri(vscode.Uri.parse(`${address.url}/`));
  return external.with({ fragment: `token=${encodeURIComponent(address.viewerToken)}` });
}
