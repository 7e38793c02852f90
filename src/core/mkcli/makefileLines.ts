/** One logical makefile line: physical lines joined at backslash-newlines. */
export interface LogicalLine {
  /** The text as written, continuations still in it (recipes and `define` bodies keep them). */
  raw: string;
  /** 1-based number of its first physical line. */
  line: number;
}

// Cuts makefile text into logical lines the way make reads it: a line ending in an odd number
// of backslashes continues on the next one (comments too). CR before LF is dropped.
export function logicalLines(text: string): LogicalLine[] {
  const physical = text.split('\n');
  const lines: LogicalLine[] = [];
  for (let i = 0; i < physical.length; i++) {
    const start = i;
    let raw = stripCr(physical[i]);
    while (continues(raw) && i + 1 < physical.length) {
      i++;
      raw += '\n' + stripCr(physical[i]);
    }
    lines.push({ raw, line: start + 1 });
  }
  if (lines.length > 0 && lines[lines.length - 1].raw === '') lines.pop();
  return lines;
}

// The line make names for what is still open at the end of `text` (an `ifeq` without `endif`):
// the one after its last line.
export function endLine(text: string): number {
  const lines = text.split('\n').length;
  return text.endsWith('\n') ? lines : lines + 1;
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

function continues(line: string): boolean {
  let n = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

// A non-recipe line as make sees it: each backslash-newline with the blanks around it becomes
// one space.
export function joinContinuations(raw: string): string {
  return raw.replace(/[ \t]*\\\n[ \t]*/g, ' ');
}

// Splits a non-recipe line at its first `#` that is not escaped as `\#`: the code (with `\#`
// unescaped) and the comment text after the `#`, if any.
export function splitComment(text: string): { code: string; comment?: string } {
  let code = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && text[i + 1] === '#') {
      code += '#';
      i++;
      continue;
    }
    if (c === '#') return { code, comment: text.slice(i + 1) };
    code += c;
  }
  return { code };
}

// The help text of a `## text` or `#: text` comment (the convention of self-documenting
// makefiles), or undefined for an ordinary comment and for `##@ Section` headings.
export function docComment(comment: string | undefined): string | undefined {
  if (comment === undefined) return undefined;
  if (comment.startsWith('#@')) return undefined;
  const match = /^[#:]+\s*(.*?)\s*$/.exec(comment);
  return match && match[1] !== '' ? match[1] : undefined;
}
