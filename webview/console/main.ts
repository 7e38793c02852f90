// Entry of the console webview: mounts the app on #app with the transport the page provides
// (VS Code's when it runs in a webview).
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-toolbar-button/index.js';
import '../lib/theme.css';
import { mount } from 'svelte';
import type { ConsoleToHostMessage } from '../../src/shared/protocol';
import { defaultTransport } from '../lib/pageTransport';
import ConsoleApp from './ConsoleApp.svelte';
import type { ConsoleViewState } from './viewState';

const target = document.getElementById('app');
const transport = defaultTransport<ConsoleToHostMessage, ConsoleViewState>();
if (target && transport) {
  mount(ConsoleApp, { target, props: { transport } });
} else if (target) {
  target.textContent = 'The console needs a host: open it from VS Code.';
}
