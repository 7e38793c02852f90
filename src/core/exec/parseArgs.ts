import { parse } from 'shell-quote';

// Splits what a user typed as a target's arguments (`VAR=value -j4 'MSG=a b'`) into argv
// entries the way a shell would split words, but expands nothing and refuses every operator:
// the result is passed to the program as separate arguments, never to a shell.
export function parseArgs(text: string): string[] {
  // Variables are not expanded: `$HOME` and `${HOME}` both reach the program as `${HOME}`,
  // which make itself expands from the environment.
  const words = parse(escapeMidWordHashes(text), (name) => (name ? `\${${name}}` : '$'));
  return words.map((word) => {
    if (typeof word === 'string') return word;
    if ('op' in word && word.op === 'glob') return word.pattern;
    if ('comment' in word) throw new Error(`Expected arguments, got a comment: #${word.comment}`);
    throw new Error(operatorRefusal('op' in word ? word.op : '?'));
  });
}

/** Whether `text` is one shell operator alone (`&&`, `;`, `|`, `>>`, …), as sh would read it. */
export function isShellOperator(text: string): boolean {
  const words = parse(text);
  return words.length === 1 && typeof words[0] === 'object' && 'op' in words[0] && words[0].op !== 'glob';
}

/** Why arguments holding the shell operator `op` are refused. */
export function operatorRefusal(op: string): string {
  return `Expected arguments, got the shell operator "${op}"; arguments are never run by a shell`;
}

/** Characters that end a word outside quotes, besides whitespace: sh's operators. */
const OPERATOR_CHARS = new Set([...';&|<>()']);

// shell-quote takes every unquoted `#` for the start of a comment; sh only one that starts a
// word (`MSG=a#b` is one word). A `#` inside a word is escaped here so that shell-quote keeps
// it; one that starts a word is left alone and still reported as a comment. `${…}` is copied
// as it is, since shell-quote reads it whole.
function escapeMidWordHashes(text: string): string {
  let out = '';
  let quote: string | undefined;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      out += ch;
    } else if (quote === "$'") {
      // bash's $'…' (which formatCommand writes): a backslash escapes the next character, `\'` too.
      if (ch === '\\' && i + 1 < text.length) out += ch + text[++i];
      else {
        if (ch === "'") quote = undefined;
        out += ch;
      }
    } else if (quote === '"') {
      if (ch === '\\' && i + 1 < text.length) out += ch + text[++i];
      else {
        if (ch === '"') quote = undefined;
        out += ch;
      }
    } else if (ch === '\\' && i + 1 < text.length) {
      out += ch + text[++i];
      inWord = true;
    } else if (ch === '$' && text[i + 1] === "'") {
      quote = "$'";
      inWord = true;
      out += ch + text[++i];
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
      out += ch;
    } else if (ch === '$' && text[i + 1] === '{' && text.indexOf('}', i) > 0) {
      const end = text.indexOf('}', i);
      out += text.slice(i, end + 1);
      i = end;
      inWord = true;
    } else if (/\s/.test(ch) || OPERATOR_CHARS.has(ch)) {
      inWord = false;
      out += ch;
    } else if (ch === '#') {
      if (!inWord) return out + text.slice(i);
      out += '\\#';
    } else {
      inWord = true;
      out += ch;
    }
  }
  return out;
}
