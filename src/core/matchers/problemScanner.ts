import path from 'node:path';
import { MakeDirectories } from './makeDirectories';
import { PatternMatcher } from './patternMatcher';
import { isStatefulMatcher, type FoundProblem, type LineScanner, type Matcher, type ProblemMatch } from './types';

/** Matchers read at most this much of a line: a megabyte of minified output costs no more than a page. */
export const MAX_MATCHED_LINE = 4096;

// Turns a job's output, one ANSI-stripped line at a time, into problems. Data matchers run as
// VS Code runs them (the first that matches a line wins it; a looping one keeps the lines that
// match its last pattern); stateful ones see every line. Each line costs a fixed number of
// regular expression runs on at most MAX_MATCHED_LINE characters, so the whole is linear.
export class ProblemScanner {
  private readonly patterns: PatternMatcher[] = [];
  private readonly scanners: Array<{ name: string; source: string; scanner: LineScanner }> = [];
  /** The last lines, as many as the longest data matcher takes. */
  private readonly window: string[] = [];
  private readonly windowSize: number;
  private looping: PatternMatcher | undefined;
  private readonly directories: MakeDirectories;

  constructor(matchers: readonly Matcher[], cwd: string) {
    for (const matcher of matchers) {
      if (isStatefulMatcher(matcher)) this.scanners.push({ name: matcher.name, source: matcher.source, scanner: matcher.create() });
      else this.patterns.push(new PatternMatcher(matcher));
    }
    this.windowSize = Math.max(1, ...this.patterns.map((p) => p.length));
    this.directories = new MakeDirectories(path.resolve(cwd));
  }

  /** One line of output, without its newline; returns the problems it completes. */
  push(line: string): FoundProblem[] {
    const text = shownPart(line);
    this.directories.track(text);
    const found: FoundProblem[] = [];
    for (const { name, source, scanner } of this.scanners) {
      for (const match of scanner.push(text)) found.push(this.found(match, name, source));
    }
    const matched = this.matchPatterns(text);
    if (matched) found.push(this.found(matched.match, matched.by.definition.name, matched.by.definition.source));
    return found;
  }

  /** The output ended: returns what was still pending, such as a traceback cut short. */
  end(): FoundProblem[] {
    const found: FoundProblem[] = [];
    for (const { name, source, scanner } of this.scanners) {
      for (const match of scanner.end()) found.push(this.found(match, name, source));
    }
    this.looping?.reset();
    this.looping = undefined;
    this.window.length = 0;
    return found;
  }

  private matchPatterns(text: string): { match: ProblemMatch; by: PatternMatcher } | undefined {
    if (this.looping) {
      const match = this.looping.next(text);
      if (match) return { match, by: this.looping };
      this.looping = undefined;
      this.window.length = 0;
    }
    this.window.push(text);
    if (this.window.length > this.windowSize) this.window.shift();
    for (const matcher of this.patterns) {
      if (matcher.length > this.window.length) continue;
      const match = matcher.handle(this.window, this.window.length - matcher.length);
      if (!match) continue;
      this.window.length = 0;
      if (matcher.active) this.looping = matcher;
      return { match, by: matcher };
    }
    return undefined;
  }

  private found(match: ProblemMatch, name: string, source: string | undefined): FoundProblem {
    const { file, severity, message, ...position } = match;
    return {
      source: source ?? name.replace(/^vmo-/, ''),
      matcher: name,
      severity,
      ...(file === undefined ? {} : { file: path.resolve(this.directories.current, file), printedFile: file }),
      ...position,
      message,
    };
  }
}

/** What a terminal would show of the line: the text after its last carriage return, capped. */
function shownPart(line: string): string {
  const body = line.endsWith('\r') ? line.slice(0, -1) : line;
  const shown = body.slice(body.lastIndexOf('\r') + 1);
  return shown.length > MAX_MATCHED_LINE ? shown.slice(0, MAX_MATCHED_LINE) : shown;
}

/** How many errors and warnings, for a badge or a summary line. */
export function countProblems(problems: Iterable<FoundProblem>): { errors: number; warnings: number } {
  let errors = 0;
  let warnings = 0;
  for (const p of problems) {
    if (p.severity === 'error') errors++;
    else if (p.severity === 'warning') warnings++;
  }
  return { errors, warnings };
}
