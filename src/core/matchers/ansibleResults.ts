import { fileAndLine, type Place } from './position';
import type { LineScanner, ProblemMatch, StatefulMatcher } from './types';

/** A new play or task: the task path seen before belongs to another task. */
const HEADER = /^(?:PLAY|TASK|RUNNING HANDLER) \[/;
/** Printed under each task header from -vv on (ansible-core 2.14; -v does not print it). */
const TASK_PATH = /^task path: (.+):(\d+)$/;
/** `fatal: [web1]: FAILED! => {…}`, `fatal: [web1]: UNREACHABLE! => {…}`, `failed: [web1] (item=x) => {…}`. */
const RESULT = /^(?:fatal|failed): \[([^\]]*)\](?: \((item=.*?)\))?(?:: (FAILED|UNREACHABLE)!)? => (.*)$/;
// A JSON string field of the result; the line may have been cut at MAX_MATCHED_LINE, so the
// result is not parsed whole.
const MSG = /"msg": "((?:[^"\\]|\\.)*)"/;
const STDERR = /"stderr": "((?:[^"\\]|\\.)*)"/;

// ansible-playbook's failed and unreachable hosts, at the task's file and line when -vv
// printed them, else without a place.
class AnsibleResultScanner implements LineScanner {
  private task: Place | undefined;

  push(line: string): ProblemMatch[] {
    if (HEADER.test(line)) {
      this.task = undefined;
      return [];
    }
    const path = TASK_PATH.exec(line);
    if (path) {
      this.task = fileAndLine(path[1], path[2]);
      return [];
    }
    const result = RESULT.exec(line);
    if (!result) return [];
    const [, host, item, status = 'FAILED', details] = result;
    const msg = jsonString(MSG.exec(details)?.[1]);
    const stderr = jsonString(STDERR.exec(details)?.[1])?.split('\n')[0];
    let message = `${host}${item ? ` (${item})` : ''}: ${status}!`;
    if (msg) message += ` ${msg}`;
    if (stderr) message += ` — ${stderr}`;
    return [{ severity: 'error', message, ...this.task }];
  }

  end(): ProblemMatch[] {
    this.task = undefined;
    return [];
  }
}

function jsonString(escaped: string | undefined): string | undefined {
  if (escaped === undefined) return undefined;
  try {
    return JSON.parse(`"${escaped}"`) as string;
  } catch {
    return escaped;
  }
}

// VS Code gets the common case of two consecutive lines: a task path (-vv) right before the
// failed host. A second host's result in between, or no -vv, and it finds nothing.
export const ANSIBLE: StatefulMatcher = {
  name: 'vmo-ansible',
  source: 'ansible',
  create: () => new AnsibleResultScanner(),
  contribution: {
    name: 'vmo-ansible',
    source: 'ansible',
    severity: 'error',
    pattern: [
      { regexp: TASK_PATH.source, file: 1, line: 2 },
      { regexp: /^(?:fatal|failed): (\[[^\]]*\].* => .*)$/.source, message: 1 },
    ],
  },
};
