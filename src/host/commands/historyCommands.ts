import * as vscode from 'vscode';
import { CommandIds } from '../../shared/ids';
import type { StoredJobs } from '../jobs/storedJobs';
import { HistoryPanel } from '../panels/historyPanel';
import { noHubMessage } from '../hub/hubAddress';
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
// runs on another machine, VS Code forwards the hub's port (Remote-SSH); a proxy that serves it
// under a path of its own (code-server's /proxy/<port>/) cannot carry the page, whose files and
// socket live at the root and whose Host is checked, so then the hub's own address is given.
async function dashboardUri(hub: HubLink): Promise<vscode.Uri> {
  const address = hub.address;
  if (!address) throw new Error(noHubMessage('there is no dashboard to open'));
  const direct = vscode.Uri.parse(`${address.url}/`);
  const external = await vscode.env.asExternalUri(direct);
  const page = external.path === '/' || external.path === '' ? external : direct;
  return page.with({ fragment: `token=${encodeURIComponent(address.viewerToken)}` });
}
