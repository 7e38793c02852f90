import { escapeRegExp } from '../../shared/regexp';
import { positiveInteger } from './position';
import type { ProblemMatch, ProblemMatcherDefinition, ProblemPattern, ProblemSeverity } from './types';

type TextField = 'file' | 'code' | 'severity';
type NumberField = 'line' | 'column' | 'endLine' | 'endColumn';

/** The groups read so far, as text, before they become a match. */
type Captured = Partial<Record<TextField | NumberField | 'message', string>>;

const NUMBER_FIELDS: readonly NumberField[] = ['line', 'column', 'endLine', 'endColumn'];
/** Every field but the message, which is joined instead. */
const FIRST_GROUP_WINS: ReadonlyArray<TextField | NumberField> = ['file', 'code', 'severity', ...NUMBER_FIELDS];

// Runs one data definition the way VS Code does, so a console job and a task find the same
// problems: the patterns match that many consecutive lines; a field keeps the first group that
// filled it, while messages of several lines are joined; a looping last pattern makes one
// problem per further line, each with what the earlier patterns read.
export class PatternMatcher {
  /** How many consecutive lines a match takes. */
  readonly length: number;
  private readonly patterns: ReadonlyArray<{ pattern: ProblemPattern; regexp: RegExp }>;
  /** Matches where the definition's hints are, if it has any. */
  private readonly hints: RegExp | undefined;
  /** What the patterns before the looping one read, while it loops. */
  private looping: Captured | undefined;

  constructor(readonly definition: ProblemMatcherDefinition) {
    const patterns = Array.isArray(definition.pattern) ? definition.pattern : [definition.pattern];
    this.patterns = patterns.map((pattern) => ({ pattern, regexp: new RegExp(pattern.regexp) }));
    this.length = patterns.length;
    // One search for them all: a regular expression of literals is several times faster than
    // `includes` for each, on output that is not all Latin-1.
    this.hints = definition.hints?.length ? new RegExp(definition.hints.map(escapeRegExp).join('|')) : undefined;
  }

  /**
   * Tries the patterns on the `length` lines of `lines` from `start`; a looping match stays active
   * for `next`. It runs for every matcher on every line of output and nearly always fails, so it
   * fails cheaply: at a search for the hints, or at the last pattern, which in a format of several
   * lines is the particular one (eslint's problem line, rustc's ` --> `) where the first may match
   * any line. Either costs no allocation.
   */
  handle(lines: readonly string[], start: number): ProblemMatch | undefined {
    this.looping = undefined;
    if (this.hints && !this.hints.test(lines[start])) return undefined;
    for (let i = this.length - 1; i > 0; i--) if (!this.patterns[i].regexp.test(lines[start + i])) return undefined;
    const captured: Captured = {};
    for (let i = 0; i < this.length; i++) {
      const { pattern, regexp } = this.patterns[i];
      const groups = regexp.exec(lines[start + i]);
      if (!groups) return undefined;
      if (pattern.loop && i === this.length - 1) this.looping = { ...captured };
      fill(captured, pattern, groups);
    }
    const match = this.toMatch(captured);
    if (!match) this.looping = undefined;
    return match;
  }

  /** True while the last pattern loops. */
  get active(): boolean {
    return this.looping !== undefined;
  }

  /** The looping pattern on the next line; a line that makes no problem ends the loop. */
  next(line: string): ProblemMatch | undefined {
    const before = this.looping;
    if (!before) return undefined;
    const { pattern, regexp } = this.patterns[this.length - 1];
    const groups = regexp.exec(line);
    const match = groups ? this.toMatch(fill({ ...before }, pattern, groups)) : undefined;
    if (!match) this.looping = undefined;
    return match;
  }

  /** Forgets a loop in progress. */
  reset(): void {
    this.looping = undefined;
  }

  // VS Code makes no problem without a file and a message; neither do we, so both agree.
  private toMatch(captured: Captured): ProblemMatch | undefined {
    if (!captured.file || !captured.message) return undefined;
    const match: ProblemMatch = {
      severity: severityOf(captured.severity) ?? this.definition.severity ?? 'error',
      message: captured.message,
      file: captured.file,
    };
    for (const field of NUMBER_FIELDS) {
      const value = positiveInteger(captured[field]);
      if (value !== undefined) match[field] = value;
    }
    if (captured.code) match.code = captured.code;
    return match;
  }
}

function fill(captured: Captured, pattern: ProblemPattern, groups: RegExpExecArray): Captured {
  for (const field of FIRST_GROUP_WINS) {
    const value = group(pattern[field], groups);
    if (captured[field] === undefined && value !== undefined) captured[field] = value;
  }
  const message = group(pattern.message, groups);
  if (message !== undefined) captured.message = captured.message === undefined ? message : `${captured.message}\n${message}`;
  return captured;
}

function group(index: number | undefined, groups: RegExpExecArray): string | undefined {
  return index === undefined ? undefined : groups[index]?.trim();
}

// The words VS Code reads as a severity, case aside; anything else leaves the matcher's own.
const SEVERITY_WORDS: ReadonlyMap<string, ProblemSeverity> = new Map([
  ['error', 'error'],
  ['warning', 'warning'],
  ['warn', 'warning'],
  ['info', 'info'],
  ['note', 'info'],
  ['hint', 'info'],
]);

/** The severity a tool's word stands for, if it is one. */
function severityOf(word: string | undefined): ProblemSeverity | undefined {
  return word === undefined ? undefined : SEVERITY_WORDS.get(word.toLowerCase());
}
