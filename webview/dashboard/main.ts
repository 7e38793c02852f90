// Entry of the dashboard page the hub serves at `/`: the job history and replays, in a browser.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-toolbar-button/index.js';
import '../lib/theme.css';
import './browserTheme.css';
import { mount } from 'svelte';
import DashboardApp from './DashboardApp.svelte';

const target = document.getElementById('app');
if (target) mount(DashboardApp, { target });
