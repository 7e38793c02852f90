import { UNKNOWN } from './makeVariables';
import type { Expander } from './makeExpand';

/** The value of a condition: known true or false, or unknown (it needs a `$(shell …)`). */
export type Truth = true | false | 'unknown';

interface Frame {
  /** Whether the branch being read applies: yes, no, or maybe (an earlier condition was unknown). */
  branch: 'on' | 'off' | 'maybe';
  /** Whether an earlier branch of this conditional was taken. */
  taken: 'yes' | 'no' | 'maybe';
  /** The conditional sits in a branch that does not apply at all. */
  dead: boolean;
  /** Where it opens, for an error when the text ends first. */
  keyword: string;
  line: number;
}

/** An `else` or `endif` that closes no conditional: make stops there ("extraneous 'endif'"). */
export class StrayDirective extends Error {
  constructor(readonly keyword: 'else' | 'endif') {
    super(`${keyword} without a matching if`);
    this.name = 'StrayDirective';
  }
}

// ifeq/ifneq/ifdef/ifndef … else … endif. A condition on known values is evaluated the way
// make would; an unknown one reads both branches (so a target defined in either is listed),
// and a branch after a taken one is skipped.
export class Conditionals {
  private readonly stack: Frame[] = [];

  /** Whether lines read now apply (possibly, when a condition was unknown). */
  get active(): boolean {
    return this.stack.every((f) => f.branch !== 'off');
  }

  /** Whether lines read now apply only if an unknown condition holds. */
  get uncertain(): boolean {
    return this.stack.some((f) => f.branch === 'maybe');
  }

  /** The innermost conditional not yet closed by its endif. */
  get open(): { keyword: string; line: number } | undefined {
    return this.stack[this.stack.length - 1];
  }

  /**
   * Handles a conditional directive line (already without its comment); false when the line is
   * not one. Throws StrayDirective for a stray `else` or `endif`. `line` is where it is.
   */
  handle(code: string, x: Expander, line: number): boolean {
    const trimmed = code.trim();
    const keyword = /^(ifeq|ifneq|ifdef|ifndef|else|endif)(?=\s|$|\()/.exec(trimmed)?.[1];
    if (!keyword) return false;
    const rest = trimmed.slice(keyword.length).trim();
    if (keyword === 'endif') {
      if (!this.stack.pop()) throw new StrayDirective('endif');
      return true;
    }
    if (keyword === 'else') {
      const frame = this.stack[this.stack.length - 1];
      if (!frame) throw new StrayDirective('else');
      if (frame.dead) return true;
      const nested = /^(ifeq|ifneq|ifdef|ifndef)(?=\s|$|\()/.exec(rest)?.[1];
      if (frame.taken === 'yes') {
        frame.branch = 'off';
        return true;
      }
      const truth = nested ? evaluate(nested, rest.slice(nested.length).trim(), x) : true;
      if (truth === false) frame.branch = 'off';
      else if (truth === true && frame.taken === 'no') {
        frame.branch = 'on';
        frame.taken = 'yes';
      } else {
        frame.branch = 'maybe';
        frame.taken = 'maybe';
      }
      return true;
    }
    if (!this.active) {
      this.stack.push({ branch: 'off', taken: 'yes', dead: true, keyword, line });
      return true;
    }
    const truth = evaluate(keyword, rest, x);
    this.stack.push({
      ...(truth === 'unknown' ? { branch: 'maybe', taken: 'maybe' } : { branch: truth ? 'on' : 'off', taken: truth ? 'yes' : 'no' }),
      dead: false,
      keyword,
      line,
    });
    return true;
  }
}

function evaluate(keyword: string, rest: string, x: Expander): Truth {
  if (keyword === 'ifdef' || keyword === 'ifndef') {
    const name = x.expand(rest).trim();
    if (name.includes(UNKNOWN)) return 'unknown';
    // ifdef asks whether the variable has a non-empty value, without expanding it.
    const value = x.variables.get(name)?.value ?? '';
    if (value.includes(UNKNOWN)) return 'unknown';
    const defined = value !== '';
    return keyword === 'ifdef' ? defined : !defined;
  }
  const operands = splitOperands(rest);
  if (!operands) return 'unknown';
  const a = x.expand(operands[0]);
  const b = x.expand(operands[1]);
  if (a.includes(UNKNOWN) || b.includes(UNKNOWN)) return 'unknown';
  const equal = a === b;
  return keyword === 'ifeq' ? equal : !equal;
}

/** The two operands of `(a,b)`, `"a" "b"` or `'a' 'b'`, unexpanded. */
function splitOperands(text: string): [string, string] | undefined {
  if (text.startsWith('(') && text.endsWith(')')) {
    const inner = text.slice(1, -1);
    let depth = 0;
    for (let i = 0; i < inner.length; i++) {
      const c = inner[i];
      if (c === '(' || c === '{') depth++;
      else if (c === ')' || c === '}') depth--;
      else if (c === ',' && depth === 0) return [inner.slice(0, i).trim(), inner.slice(i + 1).trim()];
    }
    return undefined;
  }
  const quoted = /^(["'])(.*?)\1\s+(["'])(.*?)\3\s*$/.exec(text);
  return quoted ? [quoted[2], quoted[4]] : undefined;
}
