import path from 'node:path';
import type { Problem } from '../problem';
import { FileReadError, READ_LIMITS, readBoundedSync, refuseBinary } from '../util/readBounded';
import { Conditionals, StrayDirective } from './makeConditionals';
import { Expander, words } from './makeExpand';
import { docComment, endLine, joinContinuations, logicalLines, splitComment, type LogicalLine } from './makefileLines';
import { parseStatement } from './makeStatement';
import { NOT_UTF8 } from './names';
import { builtinVariables, MakeVariables, UNKNOWN } from './makeVariables';
import { wildcard } from './makeWildcard';

/** A target found by reading makefile text, with where its rule is written. */
export interface StaticTarget {
  name: string;
  file: string;
  line: number;
  description?: string;
}

export interface StaticListing {
  /** In the order make reads them, each name once (its first rule). */
  targets: StaticTarget[];
  /** Every makefile read, and every included file looked for (watching it catches its creation). */
  files: string[];
  /** The makefiles as make names them (the main one, then each include word), known ones only. */
  makefileNames: string[];
  problems: Problem[];
  /** The problems (also in `problems`) of makefiles that exist but were refused: a FIFO, a device, too large. */
  refused: Problem[];
}

export interface StaticOptions {
  /** The environment make would import; undefined variables are looked up here. */
  env?: Readonly<Record<string, string | undefined>>;
  maxIncludeDepth?: number;
  maxFiles?: number;
}

const MAX_EVAL_DEPTH = 16;

// Lists a project's targets by reading its makefiles as text, the way make would read them but
// without running anything: no `$(shell …)`, no remaking of included files, no recipe. What
// can only be known by running something stays unknown, and a target whose name is unknown is
// left out. Conditionals on known values are evaluated; on unknown ones both branches are read.
export function readStaticTargets(dir: string, makefile: string, options: StaticOptions = {}): StaticListing {
  return new StaticReader(dir, options).read(makefile);
}

class StaticReader {
  private readonly variables: MakeVariables;
  private readonly x: Expander;
  private readonly targets = new Map<string, StaticTarget & { phonyOnly?: boolean }>();
  private readonly files = new Set<string>();
  private readonly names: string[] = [];
  private readonly problems: Problem[] = [];
  private readonly refused: Problem[] = [];
  private readonly stack: string[] = [];
  private readonly maxDepth: number;
  private readonly maxFiles: number;
  /** The conditionals of every file and `$(eval …)` being read, outermost first. */
  private readonly conditionals: Conditionals[] = [];
  private readCount = 0;
  private evalDepth = 0;
  /** Set where make surely stops reading (missing separator, a binary makefile): nothing after it is read. */
  private stopped = false;
  /** Where the line being read is, for targets that `$(eval …)` defines. */
  private here = { file: '', line: 0 };

  constructor(
    private readonly dir: string,
    options: StaticOptions,
  ) {
    this.variables = new MakeVariables(options.env ?? {}, builtinVariables(dir));
    this.maxDepth = options.maxIncludeDepth ?? 16;
    this.maxFiles = options.maxFiles ?? 500;
    this.x = new Expander(this.variables, {
      wildcard: (pattern) => wildcard(pattern, dir),
      evaluate: (text) => this.evaluate(text),
      makefileList: () => this.names.join(' '),
      overBudget: (scope) => this.overBudget(scope),
    });
  }

  read(makefile: string): StaticListing {
    this.readFile(path.basename(makefile), undefined);
    const makefiles = new Set([...this.files].map((f) => path.resolve(f)));
    const targets = [...this.targets.values()]
      .filter((t) => !makefiles.has(path.resolve(this.dir, t.name)))
      // make makes the names of .PHONY targets once it has read every makefile: not where it stops.
      .filter((t) => !(this.stopped && t.phonyOnly))
      .map(({ phonyOnly: _, ...t }) => t);
    return { targets, files: [...this.files], makefileNames: [...new Set(this.names)], problems: this.problems, refused: this.refused };
  }

  /** Reads one makefile named `name` (as make names it), included from `from` when given. */
  private readFile(name: string, from: { file: string; line: number; optional: boolean } | undefined): void {
    if (this.stopped) return;
    const file = path.resolve(this.dir, name);
    this.files.add(file);
    if (this.stack.includes(file)) {
      this.problem(`${name} includes itself (through ${this.stack.map((f) => path.basename(f)).join(' → ')}); read once`, from, 'warning');
      return;
    }
    if (this.stack.length >= this.maxDepth) {
      this.problem(`Includes nest deeper than ${this.maxDepth} levels; ${name} is not read`, from, 'warning');
      return;
    }
    if (++this.readCount > this.maxFiles) {
      if (this.readCount === this.maxFiles + 1) this.problem(`More than ${this.maxFiles} makefiles; the rest are not read`, from, 'warning');
      return;
    }
    let text: string;
    try {
      text = refuseBinary(file, readBoundedSync(file, READ_LIMITS.makefile), 'a makefile');
    } catch (error) {
      if (!(error instanceof FileReadError)) throw error;
      const missing = error.code === 'ENOENT' || error.code === 'ENOTDIR';
      if (missing && from?.optional) return;
      const problem = this.problem(`${from ? 'Included file ' : ''}${name} ${error.detail}`, from ?? { file, line: 0 }, from && missing ? 'warning' : 'error');
      if (!missing) this.refused.push(problem);
      // make reads a binary file as text and stops at its first line that is no rule: so does the reader.
      if (error.code === 'EBINARY' && this.surely(this.evalDepth > 0)) this.stopped = true;
      return;
    }
    this.names.push(name);
    this.stack.push(file);
    try {
      this.readLines(logicalLines(text), file, undefined, endLine(text));
    } finally {
      this.stack.pop();
    }
  }

  /**
   * Reads logical lines of `file`; `atLine` pins every target to one line (text of `$(eval …)`).
   * `end` is the line make names for what is still open when the text ends.
   */
  private readLines(lines: LogicalLine[], file: string, atLine: number | undefined, end: number): void {
    const conditionals = new Conditionals();
    this.conditionals.push(conditionals);
    try {
      const { define, pending } = this.readLogicalLines(lines, file, atLine, conditionals);
      if (!this.stopped) this.unclosed(define, conditionals.open, { file, line: end }, atLine !== undefined, pending);
    } finally {
      this.conditionals.pop();
    }
  }

  // make stops at the end of text with a define still open (at its line), or else a conditional
  // (at `end`), whichever branch it is in; so does the reader where make surely reads that text.
  private unclosed(define: { name: string; line: number } | undefined, conditional: { keyword: string; line: number } | undefined, end: { file: string; line: number }, evaluated: boolean, pending: readonly string[]): void {
    if (define) this.problem(`define ${define.name} has no endef: make stops here with "missing 'endef', unterminated 'define'"`, { file: end.file, line: define.line }, 'error');
    else if (conditional) this.problem(`${conditional.keyword} at line ${conditional.line} has no endif: make stops at the end of the file with "missing 'endif'"`, end, 'error');
    else return;
    // The text's own conditionals do not matter: make stops in either branch.
    if (this.surely(evaluated, this.conditionals.slice(0, -1))) this.stop(pending);
  }

  /** make stops reading: the targets of the rule it had not recorded yet are not made. */
  private stop(pending: readonly string[]): void {
    for (const name of pending) this.targets.delete(name);
    this.stopped = true;
  }

  /** Reads the lines; returns the define still open at the end, if any, and the targets of the rule make has not recorded yet. */
  private readLogicalLines(lines: LogicalLine[], file: string, atLine: number | undefined, conditionals: Conditionals): { define?: { name: string; line: number }; pending: string[] } {
    let inRule = false;
    let doc: string[] = [];
    let define: { name: string; op: string; body: string[]; depth: number; line: number; ignored: boolean } | undefined;
    // The targets the last rule named first: make records a rule only at the next statement (or
    // the end of the text), so where it stops before one, they are not made.
    let pending: string[] = [];
    for (const { raw, line: physicalLine } of lines) {
      if (this.stopped) return { pending };
      const line = atLine ?? physicalLine;
      if (define) {
        const word = /^\s*(?:(?:override|export|private)\s+)*(define|endef)\b/.exec(raw)?.[1];
        if (word === 'define') define.depth++;
        if (word === 'endef' && --define.depth === 0) {
          if (conditionals.active) this.assign(define.name, define.op, define.body.join('\n'));
          define = undefined;
          continue;
        }
        define.body.push(raw);
        continue;
      }
      // A line starting with the recipe prefix (a tab) after a rule is its recipe: never read, never expanded.
      if (inRule && raw.startsWith(this.recipePrefix())) {
        doc = [];
        continue;
      }
      const { code, comment } = splitComment(joinContinuations(raw));
      const trimmed = code.trim();
      if (trimmed === '') {
        const text = raw.trimStart().startsWith('#') ? docComment(comment) : undefined;
        doc = text !== undefined ? [...doc, text] : [];
        continue;
      }
      this.here = { file, line };
      try {
        if (conditionals.handle(code, this.x, line)) continue;
      } catch (error) {
        if (!(error instanceof StrayDirective)) throw error;
        this.stray(error, { file, line }, atLine !== undefined, pending);
        continue;
      }
      const lineDoc = doc;
      doc = [];
      const statement = parseStatement(trimmed);
      // make looks for a define's endef in a branch that does not apply too (an endif in it is its
      // text); left open there, what make says at the end is the missing endif.
      if (statement.kind === 'define') {
        define = { name: statement.name, op: statement.op, body: [], depth: 1, line, ignored: !conditionals.active };
        if (conditionals.active) pending = [];
        inRule = false;
        continue;
      }
      if (!conditionals.active) continue;
      pending = [];
      switch (statement.kind) {
        case 'include':
          inRule = false;
          this.include(statement.files, statement.optional, { file, line });
          break;
        case 'assign':
          inRule = false;
          this.assign(statement.name, statement.op, statement.value);
          break;
        case 'undefine': {
          inRule = false;
          const name = this.x.expand(statement.name).trim();
          if (!name.includes(UNKNOWN)) this.variables.undefine(name);
          break;
        }
        case 'rule':
          inRule = true;
          if (statement.targetVariable) break;
          if (statement.targets.trim() === '.PHONY') pending = this.phony(statement.prerequisites, { file, line });
          pending.push(...this.rule(statement.targets, { file, line }, docComment(comment) ?? (lineDoc.length > 0 ? lineDoc.join(' ') : undefined)));
          break;
        case 'directive':
          inRule = false;
          break;
        case 'other':
          // A line of function calls only (`$(eval …)`, `$(info …)`): expanded for what it defines.
          inRule = this.otherLine(this.x.expand(trimmed), inRule, /^ /.test(raw), { file, line }, atLine !== undefined);
          break;
      }
    }
    return { ...(define && !define.ignored ? { define } : {}), pending };
  }

  // make expands a line that is no rule, assignment or directive: what is left must be blank (the
  // rule before it ends) or a rule (a colon: the recipe lines after it are its own), or make stops
  // at it with "missing separator" — most often a recipe line indented with spaces. Said only where
  // make would surely say it: the whole line is known, no unknown condition may skip it, and it is
  // not the text of an `$(eval …)`. A line that may be a rule, or that make stops at, leaves the
  // lines after it in a recipe: none of them is taken for another such line. Returns whether a rule
  // goes on.
  private otherLine(expanded: string, inRule: boolean, indented: boolean, at: { file: string; line: number }, evaluated: boolean): boolean {
    if (expanded.trim() === '') return false;
    if (expanded.includes(UNKNOWN) || expanded.includes(':')) return true;
    if (this.surely(evaluated)) {
      const hint = inRule && indented ? '; a recipe line must start with a tab' : '';
      this.problem(`Not a rule, an assignment or a directive: make stops here with "missing separator"${hint}`, at, 'error');
      this.stopped = true;
    }
    return inRule;
  }

  // make stops at an `else` or `endif` that closes no conditional of its text, and the rule
  // still waiting to be recorded there is not made; said only where make surely reads the line.
  private stray(error: StrayDirective, at: { file: string; line: number }, evaluated: boolean, pending: readonly string[]): void {
    if (!this.surely(evaluated)) {
      this.problem(`${error.message}: make stops here with "extraneous '${error.keyword}'" if it reads this line`, at, 'warning');
      return;
    }
    this.problem(`${error.message}: make stops here with "extraneous '${error.keyword}'"`, at, 'error');
    this.stop(pending);
  }

  /** Whether make surely reads what is read now: no unknown condition of `conditionals` may skip it, and it is no `$(eval …)` text. */
  private surely(evaluated: boolean, conditionals = this.conditionals): boolean {
    return !evaluated && !conditionals.some((c) => c.uncertain);
  }

  /** The first character of `.RECIPEPREFIX` where the makefiles set it, else a tab. */
  private recipePrefix(): string {
    const value = this.variables.isDefined('.RECIPEPREFIX') ? this.x.expand('$(.RECIPEPREFIX)') : '';
    return value && !value.includes(UNKNOWN) ? value[0]! : '\t';
  }

  private include(text: string, optional: boolean, from: { file: string; line: number }): void {
    for (const word of words(this.x.expand(text))) {
      if (word.includes(UNKNOWN)) continue;
      const names = /[*?[]/.test(word) ? wildcard(word, this.dir) : [word];
      for (const name of names) {
        this.readFile(name, { ...from, optional });
        this.here = from;
      }
    }
  }

  private assign(rawName: string, op: string, value: string): void {
    const name = this.x.expand(rawName).trim();
    if (name === '' || name.includes(UNKNOWN)) return;
    const existing = this.variables.get(name);
    // Under a condition that cannot be known (the operating system, a tool's output), a value
    // set before stays: the branches are usually per-platform overrides of a default. A
    // variable first set there takes the value of the first branch read.
    if (existing && this.conditionals.some((c) => c.uncertain)) return;
    switch (op) {
      case '=':
        this.variables.set(name, { flavor: 'recursive', value });
        break;
      case ':=':
      case '::=':
        this.variables.set(name, { flavor: 'simple', value: this.x.expand(value) });
        break;
      case ':::=':
        // Expanded now, but kept recursive (POSIX): `$` in the value stays a reference.
        this.variables.set(name, { flavor: 'recursive', value: this.x.expand(value).replace(/\$/g, '$$$$') });
        break;
      case '?=':
        if (!existing) this.variables.set(name, { flavor: 'recursive', value });
        break;
      case '+=':
        if (!existing) this.variables.set(name, { flavor: 'recursive', value });
        else if (existing.flavor === 'simple') this.variables.set(name, { flavor: 'simple', value: join(existing.value, this.x.expand(value)) });
        else this.variables.set(name, { flavor: 'recursive', value: join(existing.value, value) });
        break;
      default:
        // `!=` runs its value in a shell.
        this.variables.set(name, { flavor: 'simple', value: UNKNOWN });
    }
  }

  /** Reads a rule's targets; returns those it names first. */
  private rule(targetsText: string, at: { file: string; line: number }, description: string | undefined): string[] {
    const added: string[] = [];
    for (const name of words(this.x.expand(targetsText))) {
      if (name.includes(UNKNOWN) || name.startsWith('.') || name.includes('%')) continue;
      if (name.includes(NOT_UTF8)) {
        this.problem(`The target ${JSON.stringify(name)} is not valid UTF-8 (U+FFFD stands for bytes that are not): make cannot be given its name, so it is not listed`, at, 'error');
        continue;
      }
      const existing = this.targets.get(name);
      if (existing?.phonyOnly) {
        // The rule, not the .PHONY line, is where the target is written.
        Object.assign(existing, { file: at.file, line: at.line, phonyOnly: false });
      }
      if (existing) {
        if (existing.description === undefined && description !== undefined) existing.description = description;
        continue;
      }
      this.targets.set(name, { name, file: at.file, line: at.line, ...(description !== undefined ? { description } : {}) });
      added.push(name);
    }
    return added;
  }

  /** Names declared `.PHONY`: make's database lists them as targets even without a rule. Returns those it names first. */
  private phony(prerequisites: string, at: { file: string; line: number }): string[] {
    const added: string[] = [];
    for (const name of words(this.x.expand(prerequisites))) {
      if (name.includes(UNKNOWN) || name.startsWith('.') || name.includes('%') || this.targets.has(name)) continue;
      this.targets.set(name, { name, file: at.file, line: at.line, phonyOnly: true });
      added.push(name);
    }
    return added;
  }

  private evaluate(text: string): void {
    if (this.evalDepth >= MAX_EVAL_DEPTH) return;
    this.evalDepth++;
    const here = this.here;
    try {
      this.readLines(logicalLines(text), here.file, here.line, here.line);
    } finally {
      this.here = here;
      this.evalDepth--;
    }
  }

  /** Says once where the reading stopped evaluating: a value too large, or all values from there on. */
  private overBudget(scope: 'value' | 'reading'): void {
    const message =
      scope === 'value'
        ? 'The value on this line is too large to evaluate here; targets that depend on it may be missing'
        : 'The makefiles take too long to evaluate here: values from this line on are left unknown, so targets that depend on them may be missing';
    const last = this.problems[this.problems.length - 1];
    if (last?.message === message && last.file === this.here.file && last.line === this.here.line) return;
    this.problem(message, this.here, 'warning');
  }

  private problem(message: string, at: { file: string; line: number } | undefined, severity: Problem['severity']): Problem {
    const problem: Problem = { severity, message, file: at?.file ?? path.join(this.dir, 'Makefile'), ...(at && at.line > 0 ? { line: at.line } : {}) };
    this.problems.push(problem);
    return problem;
  }
}

function join(a: string, b: string): string {
  return a === '' ? b : b === '' ? a : `${a} ${b}`;
}
