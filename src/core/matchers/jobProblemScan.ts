import { stripVTControlCharacters } from 'node:util';
import { BUILTIN_MATCHERS } from './builtinMatchers';
import { countProblems, ProblemScanner } from './problemScanner';
import type { FoundProblem } from './types';

/** Problems kept per job; more are counted, not kept. */
export const MAX_KEPT_PROBLEMS = 2000;
/** A line longer than this is cut where it reaches it (the scanner matches far less of it anyway). */
const MAX_PENDING = 64 * 1024;

// The problems in one job's output as it arrives in chunks: the text is cut into lines (a line
// may span chunks), escape sequences removed, and each line given to a ProblemScanner.
export class JobProblemScan {
  private readonly scanner: ProblemScanner;
  private pending = '';
  private ended = false;
  readonly problems: FoundProblem[] = [];
  private counted = { errors: 0, warnings: 0 };

  constructor(cwd: string) {
    this.scanner = new ProblemScanner(BUILTIN_MATCHERS, cwd);
  }

  /** Output text; returns the problems it completed. */
  push(text: string): FoundProblem[] {
    if (this.ended) return [];
    // The chunk is cut before the line it continues is joined to it: split() on a joined string
    // is ten times slower.
    const lines = text.split('\n');
    lines[0] = this.pending + lines[0];
    this.pending = lines.pop() ?? '';
    if (this.pending.length > MAX_PENDING) {
      lines.push(this.pending.slice(0, MAX_PENDING));
      this.pending = '';
    }
    const found = lines.flatMap((line) => this.scanner.push(stripVTControlCharacters(line.endsWith('\r') ? line.slice(0, -1) : line)));
    this.keep(found);
    return found;
  }

  /** The output ended: the last line and whatever the scanner held. */
  end(): FoundProblem[] {
    if (this.ended) return [];
    this.ended = true;
    const found = [...(this.pending === '' ? [] : this.scanner.push(stripVTControlCharacters(this.pending))), ...this.scanner.end()];
    this.pending = '';
    this.keep(found);
    return found;
  }

  /** Errors and warnings found so far. */
  get counts(): { errors: number; warnings: number } {
    return this.counted;
  }

  private keep(found: FoundProblem[]): void {
    if (found.length === 0) return;
    const more = countProblems(found);
    this.counted = { errors: this.counted.errors + more.errors, warnings: this.counted.warnings + more.warnings };
    this.problems.push(...found.slice(0, Math.max(0, MAX_KEPT_PROBLEMS - this.problems.length)));
  }
}
