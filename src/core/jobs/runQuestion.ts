// The question before something runs that this window's user did not click out (a rerun from the
// history, a run asked for through the hub, a workspace sequence, a dropped target) must be seen
// whole. VS Code's modal dialog grows to 90% of the window, then scrolls its text without showing a
// scroll bar, so that the end of a long command sits out of sight below a Run button; and a title
// of more than one line is drawn over the text under it once the text does not fit. A question
// that does not fit is shown in an editor instead (askToRun.ts).

/** A modal question: a one-line title and the text under it. */
export interface RunQuestion {
  message: string;
  detail: string;
}

/** The longest title: one line of the dialog at its narrowest (480 px). */
export const MAX_TITLE_CHARS = 60;

/**
 * The most characters of title and text together: seen whole, without scrolling, in a window of
 * 1280×800 even where the dialog is at its narrowest (a command of short words; measured in the
 * workbench: 1247 characters fit). A rerun of the syslog preset asks about 1200.
 */
export const MAX_QUESTION_CHARS = 1250;

/** True when the dialog shows the question whole: a title of one line, and not too much text. */
export function fitsDialog(question: RunQuestion): boolean {
  return question.message.length <= MAX_TITLE_CHARS && question.message.length + question.detail.length <= MAX_QUESTION_CHARS;
}

/** `title` when it is one line of the dialog, else `fallback` (which must be). */
export function shortTitle(title: string, fallback: string): string {
  return title.length <= MAX_TITLE_CHARS ? title : fallback;
}
