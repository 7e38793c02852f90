// Entry of the Job History webview: the shared history components over the extension host.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-toolbar-button/index.js';
import '../lib/theme.css';
import { mount } from 'svelte';
import type { HistoryToHostMessage } from '../../src/shared/historyProtocol';
import { defaultTransport } from '../lib/pageTransport';
import HistoryApp from './HistoryApp.svelte';
import type { HistoryViewState } from './viewState';

const target = document.getElementById('app');
const transport = defaultTransport<HistoryToHostMessage, HistoryViewState>();
if (target && transport) {
  mount(HistoryApp, { target, props: { transport } });
} else if (target) {
  target.textContent = 'The job history needs a host: open it from VS Code.';
}
