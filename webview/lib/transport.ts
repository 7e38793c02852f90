// How a webview app talks to whoever hosts it: VS Code (acquireVsCodeApi), a browser
// dashboard, or a test page. Apps see only this interface; incoming messages are `unknown`
// until the app's type guard has accepted them.

export interface Transport<Out, State> {
  post(message: Out): void;
  /** Calls `listener` with every message received; returns a function that stops it. */
  onMessage(listener: (message: unknown) => void): () => void;
  /** The state saved by `setState`, kept while the tab is hidden and restored with it. */
  getState(): State | undefined;
  setState(state: State): void;
}

/** The object `acquireVsCodeApi()` returns in a VS Code webview. */
export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare global {
  /** Defined by VS Code in webviews; may be called once. */
  var acquireVsCodeApi: (() => VsCodeApi) | undefined;
}

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
