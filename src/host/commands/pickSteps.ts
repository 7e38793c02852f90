/**
 * Options for a quick pick or input box that is one step of a longer question (project, then
 * target, then VM). Between two steps VS Code gives the focus back to what had it before — a
 * console webview, say — and when that focus arrives late it closes the next step as the user
 * reads it. Such a step stays open until it is answered or the user presses Escape.
 */
export const STEP = { ignoreFocusOut: true } as const;
