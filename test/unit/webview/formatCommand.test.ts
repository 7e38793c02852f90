// A command shown to people — in a confirmation, the Jobs view, the console, the history, the
// dashboard — is what runs: the line names exactly one argv, and no character of it is hidden,
// reordered or passed off as another (a bidirectional override, a zero-width or look-alike space,
// a newline, an escape sequence). The line also pastes into bash as that argv.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import fc from 'fast-check';
import { formatCommand, quoteShown, visibleText } from '../../../src/shared/format';

/** The characters a line shown to people must not hold (the plain space aside). */
const UNSEEN = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\p{Z}\p{Default_Ignorable_Code_Point}\u2800]/u;

const HOSTILE = [
  '\u202e', '\u202a', '\u2066', '\u2069', '\u200b', '\u200c', '\u200d', '\ufeff', '\u00ad', '\u061c',
  '\n', '\r', '\t', '\0', '\x1b', '\x9b', '\x7f', '\u2028', '\u2029',
  '\u00a0', '\u2000', '\u2007', '\u202f', '\u205f', '\u3000', '\u1680', '\u2800', '\u3164', '\u115f', '\uffa0',
  '\u0301', '\u034f', '\ufe0f', '\u{e0041}', '\u{e0100}', '\ue000', '\u{10ffff}', '\u0378',
  "'", '\\', '"', '$', '`', ' ', '-', '=', 'a', 'é', 'ж',
];
const oneOf = (unit: 'binary' | 'grapheme') => fc.string({ unit, minLength: 1, maxLength: 1 });
const hostileText = fc.string({ unit: fc.oneof(fc.constantFrom(...HOSTILE), fc.constantFrom(...HOSTILE), oneOf('binary'), oneOf('grapheme')), maxLength: 12 });
const argvArb = fc.array(hostileText, { maxLength: 6 });

// Reads a line back as bash does, for the three forms formatCommand writes: a plain word,
// '…' (with '\'' for a quote) and $'…' with escapes.
function readLine(line: string): string[] {
  if (line === '') return [];
  const words: string[] = [];
  let i = 0;
  for (;;) {
    let word = '';
    while (i < line.length && line[i] !== ' ') {
      if (line.startsWith("$'", i)) {
        i += 2;
        while (line[i] !== "'") {
          if (line[i] !== '\\') {
            word += line[i++];
            continue;
          }
          const c = line[i + 1];
          const named: Record<string, string> = { '\\': '\\', "'": "'", n: '\n', r: '\r', t: '\t' };
          const digits = c === 'x' ? 2 : c === 'u' ? 4 : c === 'U' ? 8 : 0;
          if (digits > 0) {
            const code = line.slice(i + 2, i + 2 + digits);
            assert.match(code, new RegExp(`^[0-9A-F]{${digits}}$`), line);
            word += String.fromCodePoint(parseInt(code, 16));
            i += 2 + digits;
          } else {
            assert.ok(named[c] !== undefined, `no escape \\${c} in ${line}`);
            word += named[c];
            i += 2;
          }
        }
        i++;
      } else if (line[i] === "'") {
        const end = line.indexOf("'", i + 1);
        assert.ok(end > i, line);
        word += line.slice(i + 1, end);
        i = end + 1;
      } else if (line[i] === '\\') {
        word += line[i + 1];
        i += 2;
      } else {
        word += line[i++];
      }
    }
    words.push(word);
    if (i >= line.length) return words;
    i++;
  }
}

// What bash makes of each line, in one run: the words of each, as `set --` takes them.
function bashWords(lines: string[]): string[][] {
  const script = lines.map((line) => `set -- ${line}; printf '%s\\0' "$#" "$@"`).join('\n');
  const out = spawnSync('bash', ['-c', script], { env: { PATH: process.env.PATH, LC_ALL: 'C.UTF-8' }, encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  const fields = out.stdout.split('\0');
  return lines.map(() => fields.splice(0, Number(fields.shift())));
}

test('formatCommand: plain words stay plain, others are single-quoted as before', () => {
  assert.equal(formatCommand(['make', '-C', '/my dir', 'VAR=a b', 'build', '', "it's", 'héllo']), "make -C '/my dir' 'VAR=a b' build '' 'it'\\''s' 'héllo'");
});

test('formatCommand: a character that would not show, or would show as another, is written as an escape in $\'…\'', () => {
  // A right-to-left override cannot turn the rest around; a literal "\u202E" reads differently.
  assert.equal(formatCommand(['echo', 'safe\u202e', 'safe\\u202E']), "echo $'safe\\u202E' 'safe\\u202E'");
  assert.equal(formatCommand(['x\u200by', 'a\nb', '\x1b[2J', 'tab\there', '\x9b31m']), "$'x\\u200By' $'a\\nb' $'\\x1B[2J' $'tab\\there' $'\\u009B31m'");
  // Look-alike spaces and blanks are not spaces: one word, and visibly not `a b`.
  assert.equal(formatCommand(['a\u00a0b', 'a\u3000b', 'a\u2800b', 'a\u3164b']), "$'a\\u00A0b' $'a\\u3000b' $'a\\u2800b' $'a\\u3164b'");
  // Within an escaped word, a quote and a backslash are escaped too; a tag character takes \U.
  assert.equal(quoteShown("it's\u200b\\"), "$'it\\'s\\u200B\\\\'");
  assert.equal(quoteShown('\u{e0041}'), "$'\\U000E0041'");
  // A combining mark would join the quote before it; after a letter it is part of the letter.
  assert.equal(quoteShown('\u0301a'), "$'\\u0301a'");
  assert.equal(quoteShown("a'\u0301"), "$'a\\'\\u0301'");
  assert.equal(quoteShown('e\u0301'), "'e\u0301'");
  assert.equal(quoteShown('a \u0301'), "$'a \\u0301'");
});

test('formatCommand: the line reads back as exactly its argv, for any argv', () => {
  fc.assert(
    fc.property(argvArb, (argv) => {
      assert.deepEqual(readLine(formatCommand(argv)), argv);
    }),
    { numRuns: 2000 },
  );
});

test('formatCommand: the line holds no character a reader would not see, and no mark that joins a quote or a space', () => {
  fc.assert(
    fc.property(argvArb, (argv) => {
      const line = formatCommand(argv);
      for (const ch of line) assert.ok(ch === ' ' || !UNSEEN.test(ch), `U+${ch.codePointAt(0)!.toString(16)} in ${JSON.stringify(line)}`);
      assert.doesNotMatch(line, /(?:^|['\s])\p{M}/u);
    }),
    { numRuns: 2000 },
  );
});

test('formatCommand: bash reads the line as the same argv', () => {
  // A process cannot be given NUL or a lone surrogate (Node writes U+FFFD for it): not compared.
  const runnable = hostileText.filter((w) => !w.includes('\0') && !/\p{Cs}/u.test(w));
  const samples = fc.sample(fc.array(runnable, { minLength: 1, maxLength: 6 }), { numRuns: 300, seed: 42 });
  const fixed = [['echo', 'safe\u202e', 'x\u200by', 'a\nb', '\x1b[2J', "it's", 'a\u00a0b', '\u0301a', '\u{e0041}', '\x9b', '']];
  const argvs = [...fixed, ...samples];
  assert.deepEqual(bashWords(argvs.map(formatCommand)), argvs);
});

test('visibleText: every character a reader would not see is written as \\u{…}', () => {
  assert.equal(visibleText('web-1\u202e on a\u00a0b\nc'), 'web-1\\u{202e} on a\\u{a0}b\\u{a}c');
  assert.equal(visibleText('plain text, é ж'), 'plain text, é ж');
});
