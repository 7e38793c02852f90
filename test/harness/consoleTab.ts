// Reads a job's console tab as the user sees it, for the e2e tests.
import type { Frame } from 'playwright-core';

/** What a console tab shows: the status in its header, its exit fact, and its rows (log lines and notes). */
export interface ConsoleTabView {
  status: string;
  exit: string;
  rows: string[];
  /** Every row the console was sent is drawn: its log says `aria-busy="false"` (a log without the attribute never is). */
  settled: boolean;
}

/** The job's state has no more output to come. */
const ENDED = new Set(['Succeeded', 'Failed', 'Canceled', 'Skipped', 'Interrupted']);

export async function readConsoleTab(frame: Frame): Promise<ConsoleTabView> {
  const status = ((await frame.locator('header [role="status"]').first().getAttribute('aria-label')) ?? '').replace(/^Status:\s*/, '');
  const exitFact = frame.locator('header .fact.exit');
  const exit = (await exitFact.count()) > 0 ? ((await exitFact.first().textContent()) ?? '').trim() : '';
  const log = frame.locator('[role="log"]').first();
  const settled = (await log.getAttribute('aria-busy')) === 'false';
  const rows = (await log.locator('.row').allTextContents()).map((l) => l.trimEnd());
  return { status, exit, rows, settled };
}

/**
 * Whether a wait may take this view as it is: the header's status and the rows are drawn in
 * different frames, so the view of an ended job counts once its last rows are drawn too.
 */
export function readyToJudge(view: ConsoleTabView): boolean {
  return view.settled || !ENDED.has(view.status);
}
