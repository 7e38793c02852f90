// How the product writes commands and durations for people, the same in every view: the Jobs
// tree, notifications, the console, the history and the dashboard.

const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

// Quotes one word for a POSIX shell; plain words stay as they are. Used for command lines that
// people read or paste, and for the remote command that ssh hands to the VM's shell.
export function quotePosix(word: string): string {
  if (PLAIN_WORD.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

// Characters a reader does not see as what they are: controls, format characters (bidirectional
// overrides and isolates, zero-width), other default-ignorable code points (fillers, variation
// selectors, tags), private-use, unassigned and lone surrogate code points, and every space or
// separator but the plain space — a no-break, ideographic or braille blank reads as a space.
const UNSEEN = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\p{Z}\p{Default_Ignorable_Code_Point}\u2800]/u;
const unseen = (ch: string): boolean => ch !== ' ' && UNSEEN.test(ch);

/** The first character of `text` that a reader would not see as what it is, or undefined. */
export function firstUnseen(text: string): string | undefined {
  for (const ch of text) if (unseen(ch)) return ch;
  return undefined;
}
const MARK = /^\p{M}/u;

/** How `$'…'` writes the characters it has names for. */
const NAMED_ESCAPES: Record<string, string> = { '\\': '\\\\', "'": "\\'", '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const hex = (code: number, digits: number): string => code.toString(16).toUpperCase().padStart(digits, '0');

/** One character as bash's `$'…'` writes it: `\n`, `\x1B`, `\u202E`, `\U000E0041`. */
function escaped(ch: string): string {
  const named = NAMED_ESCAPES[ch];
  if (named) return named;
  const code = ch.codePointAt(0)!;
  if (code < 0x80) return `\\x${hex(code, 2)}`;
  return code <= 0xffff ? `\\u${hex(code, 4)}` : `\\U${hex(code, 8)}`;
}

// Whether a word does not read as itself in single quotes: it holds an unseen character, or a
// combining mark that would join a quote or a space before it.
const needsEscapes = (word: string): boolean => firstUnseen(word) !== undefined || /(?:^|[' ])\p{M}/u.test(word);

// A word in bash's `$'…'` quoting, every unseen character written as an escape, and so is a
// combining mark that would join an escape, a space or the opening quote.
function quoteEscaped(word: string): string {
  let out = "$'";
  let joinsPrevious = true;
  for (const ch of word) {
    const written: boolean = ch === '\\' || ch === "'" || unseen(ch) || (joinsPrevious && MARK.test(ch));
    out += written ? escaped(ch) : ch;
    joinsPrevious = written || ch === ' ';
  }
  return `${out}'`;
}

/**
 * One word as people read and paste it: plain, in single quotes, or — when it holds a character
 * that would not show as itself (a control, a bidirectional override, a zero-width or look-alike
 * space) — in bash's `$'…'` with that character escaped, so that what is read is the word.
 */
export function quoteShown(word: string): string {
  return needsEscapes(word) ? quoteEscaped(word) : quotePosix(word);
}

/**
 * A command line as people read and paste it, e.g. `make -C '/my dir' build`: each word quoted
 * by quoteShown, so that the line names exactly one argv and hides none of its characters.
 */
export function formatCommand(argv: readonly string[]): string {
  return argv.map(quoteShown).join(' ');
}

/** Text from elsewhere (a name, a path, a host) as a dialog may show it: every unseen character written as `\u{…}`. */
export function visibleText(text: string): string {
  let out = '';
  for (const ch of text) out += unseen(ch) ? `\\u{${ch.codePointAt(0)!.toString(16)}}` : ch;
  return out;
}

/**
 * `850 ms`, `12.3 s`, `3 min 04 s`, `1 h 02 min`; empty for what is not a duration. Cut, not
 * rounded, so that 59.96 s reads `59.9 s` rather than a `60.0 s` that belongs to the next unit,
 * and a running time and the final one agree.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.floor(ms)} ms`;
  if (ms < 60_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor(s / 60) % 60).padStart(2, '0')} min`;
}
