// The transport of the page an app runs in: VS Code's webview messaging, or one the page provides.
// Apart from the interface (transport.ts), which code outside a browser page uses too.
import type { Transport, VsCodeApi } from './transport';

/** The transport inside a VS Code webview: postMessage to the host, window messages back. */
export function vscodeTransport<Out, State>(api: VsCodeApi, target: Window = window): Transport<Out, State> {
  return {
    post: (message) => api.postMessage(message),
    onMessage(listener) {
      const handler = (event: MessageEvent) => listener(event.data);
      target.addEventListener('message', handler);
      return () => target.removeEventListener('message', handler);
    },
    getState: () => (api.getState() ?? undefined) as State | undefined,
    setState: (state) => api.setState(state),
  };
}

/**
 * The transport a page provides on `window.vmOrchestratorTransport` before the app's script
 * runs (a browser dashboard or a test page), else VS Code's, else none.
 */
export function defaultTransport<Out, State>(): Transport<Out, State> | undefined {
  const provided = (globalThis as { vmOrchestratorTransport?: Transport<Out, State> }).vmOrchestratorTransport;
  if (provided) return provided;
  if (typeof globalThis.acquireVsCodeApi === 'function') return vscodeTransport(globalThis.acquireVsCodeApi());
  return undefined;
}
