import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { fitsDialog, type RunQuestion } from '../../core/jobs/runQuestion';
import { QuestionLanguage } from '../../shared/ids';

/** The scheme of the read-only documents that show a question too long for a dialog. */
export const QUESTION_SCHEME = 'vmo-run-question';

/** Run, run and do not ask again (the caller remembers), or no. */
export type RunAnswer = 'run' | 'always' | undefined;

/** The open questions' text, by document path; a document is forgotten once its question is answered. */
const texts = new Map<string, string>();

/** Serves the questions' documents (registered once, in registerJobs). */
export const questionDocuments: vscode.TextDocumentContentProvider = {
  provideTextDocumentContent: (uri) => texts.get(uri.path) ?? 'This question was answered; it is no longer open.',
};

// Asks the user whether to run something this window's user did not click out (a rerun from the
// history, a run asked for through the hub, a workspace sequence). A question the dialog shows
// whole is a modal dialog. A longer one would scroll inside the dialog without a scroll bar, the
// end of the command out of sight below Run, so it is shown whole in a read-only editor instead,
// where it can be scrolled and searched, and asked in a notification that names it: nothing is
// hidden either way. `always`: the label of a second yes, for questions the caller can remember.
export async function askToRun(question: RunQuestion, always?: string): Promise<RunAnswer> {
  const run = 'Run';
  const choices = always ? [run, always] : [run];
  const answer = (choice: string | undefined): RunAnswer => (choice === run ? 'run' : choice !== undefined && choice === always ? 'always' : undefined);
  if (fitsDialog(question)) return answer(await vscode.window.showWarningMessage(question.message, { modal: true, detail: question.detail }, ...choices));
  const uri = vscode.Uri.from({ scheme: QUESTION_SCHEME, path: `/${randomUUID()}/Command to run` });
  texts.set(uri.path, `${question.message}\n\n${question.detail}\n`);
  try {
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(await vscode.languages.setTextDocumentLanguage(document, QuestionLanguage), { preview: true });
    return answer(await vscode.window.showWarningMessage(`${question.message} It is too long for a dialog: read it whole in the editor "Command to run" first.`, ...choices, 'Cancel'));
  } finally {
    texts.delete(uri.path);
  }
}
