import { fileAndLine, type Place } from './position';
import type { LineScanner, ProblemMatch, StatefulMatcher } from './types';

const TRACEBACK = /^\s*Traceback \(most recent call last\):$/;
/** `  File "/x/report.py", line 9, in main`; a SyntaxError's frame has no `, in …`. */
const FRAME = /^\s*File "(.+?)", line (\d+)(, in .*)?$/;
/** `ZeroDivisionError: division by zero`, `json.decoder.JSONDecodeError: …`, `KeyboardInterrupt`. */
const EXCEPTION = /^[A-Za-z_][\w.]*(?::.*)?$/;
/** What ends a SyntaxError's frame: SyntaxError, IndentationError, TabError. */
const SYNTAX_ERROR = /^\w*Error(?::.*)?$/;
/** A SyntaxError prints its source line and its caret line between frame and exception. */
const MAX_SYNTAX_CONTEXT = 3;

type State = { kind: 'idle' } | { kind: 'traceback'; frame?: Place } | { kind: 'syntax'; frame: Place; context: number };

// Python's uncaught exceptions, one problem per traceback: at its last frame (where it was
// raised), with the exception line as the message. Source lines and 3.11's `~~~^^^` carets
// are indented and skipped. A SyntaxError in the script run prints no `Traceback` header,
// only its frame, source, caret and `SyntaxError: …`, so a bare frame is followed too.
class PythonTracebackScanner implements LineScanner {
  private state: State = { kind: 'idle' };

  push(line: string): ProblemMatch[] {
    const state = this.state;
    if (TRACEBACK.test(line)) {
      this.state = { kind: 'traceback' };
      return state.kind === 'traceback' ? cutShort(state.frame) : [];
    }
    switch (state.kind) {
      case 'idle':
        this.followSyntaxError(line);
        return [];
      case 'traceback':
        return this.inTraceback(state, line);
      case 'syntax':
        return this.inSyntaxError(state, line);
    }
  }

  end(): ProblemMatch[] {
    const state = this.state;
    this.state = { kind: 'idle' };
    return state.kind === 'traceback' ? cutShort(state.frame) : [];
  }

  private inTraceback(state: { kind: 'traceback'; frame?: Place }, line: string): ProblemMatch[] {
    const frame = FRAME.exec(line);
    if (frame) {
      state.frame = fileAndLine(frame[1], frame[2]);
      return [];
    }
    if (/^\s/.test(line)) return [];
    this.state = { kind: 'idle' };
    if (!state.frame) return [];
    return EXCEPTION.test(line) ? [problemAt(state.frame, line.trim())] : cutShort(state.frame);
  }

  private inSyntaxError(state: { kind: 'syntax'; frame: Place; context: number }, line: string): ProblemMatch[] {
    if (!FRAME.test(line) && /^\s/.test(line)) {
      if (++state.context > MAX_SYNTAX_CONTEXT) this.state = { kind: 'idle' };
      return [];
    }
    this.state = { kind: 'idle' };
    if (SYNTAX_ERROR.test(line)) return [problemAt(state.frame, line.trim())];
    this.followSyntaxError(line);
    return [];
  }

  private followSyntaxError(line: string): void {
    const frame = FRAME.exec(line);
    if (frame && frame[3] === undefined) this.state = { kind: 'syntax', frame: fileAndLine(frame[1], frame[2]), context: 0 };
  }
}

/** A traceback the output stopped in the middle of (a killed job, interleaved output). */
function cutShort(frame: Place | undefined): ProblemMatch[] {
  return frame ? [problemAt(frame, 'Uncaught exception (the traceback was cut short)')] : [];
}

// `<string>`, `<stdin>` and `<frozen runpy>` are no files: the problem is kept without a place.
function problemAt(frame: Place, message: string): ProblemMatch {
  return { severity: 'error', message, ...(frame.file.startsWith('<') ? {} : frame) };
}

// Python's tracebacks and SyntaxErrors. Left out of the VS Code contribution: between the
// last frame and the exception Python prints none to three lines (source, carets), and VS
// Code's patterns match a fixed number of consecutive lines, so one would miss most.
export const PYTHON_TRACEBACK: StatefulMatcher = {
  name: 'vmo-python',
  source: 'python',
  create: () => new PythonTracebackScanner(),
};
