import { matchingClose } from './makeExpand';

/** What one makefile line (outside recipes, comment removed, trimmed) says. */
export type Statement =
  | { kind: 'define'; name: string; op: string }
  | { kind: 'include'; files: string; optional: boolean }
  | { kind: 'assign'; name: string; op: string; value: string }
  | { kind: 'undefine'; name: string }
  | { kind: 'rule'; targets: string; prerequisites: string; double: boolean; targetVariable: boolean }
  | { kind: 'directive' }
  | { kind: 'other' };

const PREFIX = /^(?:(?:override|export|private|unexport)\s+)+/;

// Tells assignments, rules and directives apart the way make does: the first `=` or `:` outside
// variable references decides (`a: b = c` is a target-specific variable, `a = b: c` an assignment).
export function parseStatement(line: string): Statement {
  const include = /^(-include|sinclude|include)(?:\s+(.*))?$/.exec(line);
  if (include) return { kind: 'include', files: include[2] ?? '', optional: include[1] !== 'include' };
  const define = /^(?:(?:override|export|private)\s+)*define\s+(.*?)\s*(=|:=|::=|:::=|\?=|\+=|!=)?$/.exec(line);
  if (define) return { kind: 'define', name: define[1], op: define[2] ?? '=' };
  const undefine = /^(?:override\s+)?undefine\s+(.+)$/.exec(line);
  if (undefine) return { kind: 'undefine', name: undefine[1] };
  if (/^(?:vpath|-?load)(?:\s|$)/.test(line) || /^(?:export|unexport)$/.test(line)) return { kind: 'directive' };
  const prefixed = PREFIX.exec(line);
  const body = prefixed ? line.slice(prefixed[0].length) : line;
  let separator = findSeparator(body);
  const name = separator?.op ? body.slice(0, separator.index).trim() : '';
  // A name with blanks outside references is no variable's to make (`@echo "==> done"` is a recipe
  // line that lost its tab): the line is a rule if a colon follows, else make stops at it.
  if (separator?.op && topLevelIndex(name, ' ') === name.length && topLevelIndex(name, '\t') === name.length) {
    return { kind: 'assign', name, op: separator.op, value: body.slice(separator.end).replace(/^[ \t]+/, '') };
  }
  if (separator?.op) {
    const colon = topLevelIndex(body, ':');
    separator = colon < body.length ? { index: colon, end: colon + 1 } : undefined;
  }
  if (prefixed) {
    // `export A B` names variables to export. After `override` or `private` make takes only an
    // assignment: any other line is read whole, the word a target of it if a colon follows
    // (`override a: b` makes `override` and `a`), else make stops at it.
    if (!/^(?:override|private)\s/.test(line)) return { kind: 'directive' };
    const colon = topLevelIndex(line, ':');
    return colon < line.length ? rule(line, { index: colon, end: colon + 1 }) : { kind: 'other' };
  }
  return separator ? rule(body, separator) : { kind: 'other' };
}

function rule(text: string, separator: { index: number; end: number }): Statement {
  const double = text[separator.end] === ':';
  const rest = text.slice(separator.end + (double ? 1 : 0));
  const prerequisites = rest.slice(0, topLevelIndex(rest, ';'));
  return { kind: 'rule', targets: text.slice(0, separator.index), prerequisites, double, targetVariable: findSeparator(prerequisites)?.op !== undefined };
}

/** The first `=`-kind operator or rule colon outside references; `op` is set for assignments. */
function findSeparator(text: string): { index: number; end: number; op?: string } | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '$') {
      const next = text[i + 1];
      if (next === '(' || next === '{') {
        const close = matchingClose(text, i + 1);
        if (close === -1) return undefined;
        i = close;
      } else i++;
      continue;
    }
    if (c === '=') {
      const before = text[i - 1];
      if (before === '?' || before === '+' || before === '!') return { index: i - 1, end: i + 1, op: `${before}=` };
      return { index: i, end: i + 1, op: '=' };
    }
    if (c === ':') {
      for (const op of [':::=', '::=', ':=']) {
        if (text.startsWith(op, i)) return { index: i, end: i + op.length, op };
      }
      return { index: i, end: i + 1 };
    }
  }
  return undefined;
}

function topLevelIndex(text: string, char: string): number {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '$' && (text[i + 1] === '(' || text[i + 1] === '{')) {
      const close = matchingClose(text, i + 1);
      if (close === -1) return text.length;
      i = close;
    } else if (text[i] === char) return i;
  }
  return text.length;
}
