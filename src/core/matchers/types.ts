// The shapes of problem matchers and of what they find. Definitions are data in the shape of
// VS Code's `contributes.problemMatchers`, so one definition serves console jobs and tasks.

/** How bad a problem is; tools' own words (fatal error, note, warn …) are mapped onto these. */
export type ProblemSeverity = 'error' | 'warning' | 'info';

/** One line's regular expression and the groups that hold each part: VS Code's problem pattern. */
export interface ProblemPattern {
  regexp: string;
  file?: number;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  severity?: number;
  code?: number;
  message?: number;
  /** On the last pattern only: it repeats, each further matching line one more problem. */
  loop?: boolean;
}

/** A matcher as data. Several patterns match that many consecutive lines. */
export interface ProblemMatcherDefinition {
  /** `vmo-…`; tasks name it `$vmo-…`. */
  name: string;
  owner?: string;
  /** The tool, shown beside each problem (`gcc`, `tsc` …). */
  source?: string;
  /** For problems whose line says none, or a word VS Code does not know. */
  severity?: ProblemSeverity;
  pattern: ProblemPattern | ProblemPattern[];
  /**
   * Text of which every line the first pattern matches holds one piece: a search for them spares
   * that pattern's regular expression on nearly every line of output. Not VS Code's; a task's
   * matcher runs without it.
   */
  hints?: string[];
}

/** What a matcher read from the output, its file still as printed. */
export interface ProblemMatch {
  severity: ProblemSeverity;
  message: string;
  file?: string;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  code?: string;
}

/** One job's worth of state of a stateful matcher. */
export interface LineScanner {
  /** One line of output; returns the problems it completes. */
  push(line: string): ProblemMatch[];
  /** The output ended: returns what was pending and starts over. */
  end(): ProblemMatch[];
}

// For output that consecutive-line patterns cannot describe (a traceback of any length, a
// file named many lines before the error): code, with what VS Code gets instead beside it.
export interface StatefulMatcher {
  name: string;
  source: string;
  create(): LineScanner;
  /** The closest data definition for VS Code tasks; absent when none is close enough. */
  contribution?: ProblemMatcherDefinition;
}

/** What a ProblemScanner runs: data where a pattern can say it, code where it cannot. */
export type Matcher = ProblemMatcherDefinition | StatefulMatcher;

/** A problem found in a job's output. */
export interface FoundProblem {
  /** The tool, e.g. `gcc`. */
  source: string;
  /** The matcher that found it, e.g. `vmo-gcc`. */
  matcher: string;
  severity: ProblemSeverity;
  message: string;
  /** Absolute: a relative path is resolved against the directory make was in at the time. */
  file?: string;
  /** The path as the tool printed it. */
  printedFile?: string;
  /** 1-based, like the rest of the position. */
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  code?: string;
}

/** Tells code from data among matchers. */
export function isStatefulMatcher(matcher: Matcher): matcher is StatefulMatcher {
  return 'create' in matcher;
}
