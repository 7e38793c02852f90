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
