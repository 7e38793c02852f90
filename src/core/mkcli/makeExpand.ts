import { callFunction, FUNCTIONS } from './makeFunctions';
import { MakeVariables, UNKNOWN } from './makeVariables';

/** What expansion needs besides the variables: the hooks that read files or more makefile text. */
export interface ExpandHooks {
  /** `$(wildcard …)`: the existing files matching one pattern. */
  wildcard(pattern: string): string[];
  /** `$(eval …)`: reads the text as makefile lines. */
  evaluate(text: string): void;
  /** The file names read so far, for MAKEFILE_LIST. */
  makefileList(): string;
  /** Told when a value (`'value'`) or the whole reading (`'reading'`) takes more work than it may. */
  overBudget(scope: 'value' | 'reading'): void;
}

/** Expansion stops (the result is unknown) past this nesting or this much text. */
const MAX_DEPTH = 64;
const MAX_LENGTH = 1024 * 1024;
// Work is counted in characters scanned and produced; a reference or a loop's turn costs
// TURN_COST more (about as long as so many characters). An exponential variable or a nested
// `$(foreach …)` over long lists would otherwise hold the extension host for minutes, each
// expansion within the limits above. Past MAX_VALUE_WORK the value being expanded (a line's
// name, value or condition, with all it evaluates) is unknown: a few tenths of a second of work,
// over ten times the largest value of real makefiles (a configured buildroot's, 0.8 M). Past
// MAX_WORK every value is: above the 185 M of that buildroot, the largest reading found.
export const TURN_COST = 8;
export const MAX_VALUE_WORK = 10_000_000;
export const MAX_WORK = 250_000_000;

// Expands make references in text without running anything: `$(shell …)` and whatever else
// would need a process or a write becomes UNKNOWN, and so does a variable that refers to
// itself, too deep a nesting or too long a result.
export class Expander {
  private depth = 0;
  private work = 0;
  private valueWork = 0;
  private readonly active = new Set<string>();
  private readonly selfReferencing = new Set<string>();

  constructor(
    readonly variables: MakeVariables,
    readonly hooks: ExpandHooks,
  ) {}

  expand(text: string, locals?: ReadonlyMap<string, string>): string {
    // Plain text is its own value, known even past the budget; a loop charges each turn of its own.
    if (!text.includes('$')) return text;
    if (this.depth === 0) this.valueWork = 0;
    if (!this.spend(text.length)) return UNKNOWN;
    if (this.depth >= MAX_DEPTH) return UNKNOWN;
    this.depth++;
    try {
      let out = '';
      for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (c !== '$') {
          out += c;
          continue;
        }
        const next = text[i + 1];
        if (next === undefined) break;
        if (!this.spend(TURN_COST)) return UNKNOWN;
        if (next === '$') {
          out += '$';
          i++;
        } else if (next === '(' || next === '{') {
          const end = matchingClose(text, i + 1);
          if (end === -1) return out + UNKNOWN;
          out += this.reference(text.slice(i + 2, end), next, locals);
          i = end;
        } else {
          out += this.variable(next, locals);
          i++;
        }
        if (out.length > MAX_LENGTH) return UNKNOWN;
      }
      return this.spend(out.length) ? out : UNKNOWN;
    } finally {
      this.depth--;
    }
  }

  /** Counts `amount` of work; false once the value or the reading has taken all it may. */
  spend(amount: number): boolean {
    if (this.valueWork > MAX_VALUE_WORK || this.work > MAX_WORK) return false;
    // A value too large is refused before it counts toward the reading, which goes on.
    this.valueWork += amount;
    if (this.valueWork > MAX_VALUE_WORK) {
      this.hooks.overBudget('value');
      return false;
    }
    this.work += amount;
    if (this.work > MAX_WORK) {
      this.hooks.overBudget('reading');
      return false;
    }
    return true;
  }

  /** The value of a variable, expanded (recursive variables at each use). */
  variable(name: string, locals?: ReadonlyMap<string, string>): string {
    if (name.includes(UNKNOWN)) return UNKNOWN;
    const local = locals?.get(name);
    if (local !== undefined) return local;
    if (name === 'MAKEFILE_LIST') return this.hooks.makefileList();
    const variable = this.variables.get(name);
    if (!variable) return '';
    if (variable.flavor === 'simple') return variable.value;
    if (this.active.has(name)) {
      // make stops here ("references itself"); the whole value is unknown, not just the loop.
      this.selfReferencing.add(name);
      return UNKNOWN;
    }
    this.active.add(name);
    try {
      const value = this.expand(variable.value, locals);
      return this.selfReferencing.delete(name) ? UNKNOWN : value;
    } finally {
      this.active.delete(name);
    }
  }

  private reference(inner: string, open: string, locals?: ReadonlyMap<string, string>): string {
    const fn = /^([a-z-]+)[ \t]/.exec(inner);
    if (fn && FUNCTIONS.has(fn[1])) {
      return callFunction(this, fn[1], splitArgs(inner.slice(fn[0].length), open), locals);
    }
    const sub = substitutionReference(inner);
    if (sub) {
      const value = this.variable(this.expand(sub.name, locals), locals);
      if (value.includes(UNKNOWN)) return UNKNOWN;
      const from = this.expand(sub.from, locals);
      const to = this.expand(sub.to, locals);
      if (from.includes(UNKNOWN) || to.includes(UNKNOWN)) return UNKNOWN;
      const pattern = from.includes('%') ? from : `%${from}`;
      const replacement = from.includes('%') ? to : `%${to}`;
      return words(value).map((w) => patsubstWord(pattern, replacement, w)).join(' ');
    }
    return this.variable(this.expand(inner, locals), locals);
  }
}

/** The index of the bracket closing the one at `open`, counting only brackets of its kind. */
export function matchingClose(text: string, open: number): number {
  const o = text[open];
  const c = o === '(' ? ')' : '}';
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === o) depth++;
    else if (text[i] === c && --depth === 0) return i;
  }
  return -1;
}

/** Function arguments: split at commas outside nested brackets of the call's kind. */
function splitArgs(text: string, open: string): string[] {
  const close = open === '(' ? ')' : '}';
  const args: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === open || c === '(' || c === '{') depth++;
    else if (c === close || c === ')' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      args.push(text.slice(start, i));
      start = i + 1;
    }
  }
  args.push(text.slice(start));
  return args;
}

/** `$(var:from=to)`: the parts, when the reference has that shape. */
function substitutionReference(inner: string): { name: string; from: string; to: string } | undefined {
  let depth = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c === '(' || c === '{') depth++;
    else if (c === ')' || c === '}') depth--;
    else if (c === ':' && depth === 0) {
      const rest = inner.slice(i + 1);
      const eq = rest.indexOf('=');
      if (eq === -1) return undefined;
      return { name: inner.slice(0, i), from: rest.slice(0, eq), to: rest.slice(eq + 1) };
    }
  }
  return undefined;
}

export function words(text: string): string[] {
  return text.split(/[ \t\n]+/).filter(Boolean);
}

/** One word through `$(patsubst pattern,replacement,word)`. */
export function patsubstWord(pattern: string, replacement: string, word: string): string {
  const percent = pattern.indexOf('%');
  if (percent === -1) return word === pattern ? replacement : word;
  const prefix = pattern.slice(0, percent);
  const suffix = pattern.slice(percent + 1);
  if (word.length < prefix.length + suffix.length || !word.startsWith(prefix) || !word.endsWith(suffix)) return word;
  const stem = word.slice(prefix.length, word.length - suffix.length);
  return replacement.includes('%') ? replacement.replace('%', stem) : replacement;
}
