// The modal question before something runs that this window's user did not click (a rerun from
// the history, a run asked for through the hub, a dropped target) is seen whole or not asked.
// VS Code's modal dialog grows to 90% of the window, then scrolls its text without showing a
// scroll bar, so that the end of a long command sits out of sight below a Run button; and a title
// of more than one line is drawn over the text under it once the text does not fit.

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

// The question as it is, when it can be seen whole; otherwise throws, saying so (`what`: "The
// confirmation of this job"), for the caller to refuse the run rather than ask a question cut short.
export function shownWhole(question: RunQuestion, what: string): RunQuestion {
  if (question.message.length > MAX_TITLE_CHARS) throw new Error(`${what} would have a title longer than a line of the dialog, so it is not run.`);
  const length = question.message.length + question.detail.length;
  if (length > MAX_QUESTION_CHARS) {
    throw new Error(`${what} would be ${length} characters long, too long for the dialog to show whole (at most ${MAX_QUESTION_CHARS}), so it is not run.`);
  }
  return question;
}
