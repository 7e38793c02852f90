import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseArgs } from '../../../src/core/exec/parseArgs';
import { formatCommand, quotePosix } from '../../../src/shared/format';

test('words, quotes and variables stay literal', () => {
  assert.deepEqual(parseArgs(`VAR=value -j4 'MSG=a b' "X=\\"y\\"" $HOME *.txt`), [
    'VAR=value',
    '-j4',
    'MSG=a b',
    'X="y"',
    '${HOME}',
    '*.txt',
  ]);
  assert.deepEqual(parseArgs('   '), []);
});

for (const attempt of ['a; rm -rf /', 'a && b', 'a | b', 'a > f', '$(touch x) b'.replace('$(touch x)', 'a || b'), 'a & b', 'a # comment']) {
  test(`refused: ${attempt}`, () => {
    assert.throws(() => parseArgs(attempt), /Expected arguments/);
  });
}

test('variables keep their braces', () => {
  assert.deepEqual(parseArgs('DIR=${HOME}/x'), ['DIR=${HOME}/x']);
});

test('command substitution and backticks are passed as text, never run', () => {
  assert.deepEqual(parseArgs('"$(touch /tmp/x)"'), ['$(touch /tmp/x)']);
  assert.deepEqual(parseArgs("'`id`'"), ['`id`']);
});

// sh reads `#` as a comment only at the start of a word.
test('a # inside a word is part of it', () => {
  assert.deepEqual(parseArgs('MSG=a#b'), ['MSG=a#b']);
  assert.deepEqual(parseArgs(`x#y 'a'#b "c"#d e\\ #f C#`), ['x#y', 'a#b', 'c#d', 'e #f', 'C#']);
  assert.deepEqual(parseArgs(`'#quoted' "#too" \\#escaped`), ['#quoted', '#too', '#escaped']);
  assert.deepEqual(parseArgs('${A#b} URL=http://h/#frag'), ['${A#b}', 'URL=http://h/#frag']);
});

test('a # that starts a word is still a comment, refused as before', () => {
  for (const text of ['a #b', '#a', 'MSG=a#b #c', 'a\t#b']) {
    assert.throws(() => parseArgs(text), /Expected arguments, got a comment/, text);
  }
});

// Any list of words, quoted for a shell and joined, splits back into the same words.
test('quoting words and splitting them gives them back', () => {
  const word = fc.string({ unit: fc.constantFrom(...'abcXYZ019 _-=#./:,+@%$\'"\\`;&|<>(){}[]*?!~\t'), minLength: 1, maxLength: 12 });
  fc.assert(
    fc.property(fc.array(word, { maxLength: 8 }), (words) => {
      assert.deepEqual(parseArgs(words.map(quotePosix).join(' ')), words);
    }),
    { numRuns: 500 },
  );
});

// A command as the product shows it (hidden characters escaped in $'…') typed back as arguments
// gives the same words: what was read is what runs.
test("arguments copied from a shown command, $'…' words included, split back into the same words", () => {
  assert.deepEqual(parseArgs("$'it\\'s\\u202E' $'#\\u200B' 'a#b'"), ["it's\u202e", '#\u200b', 'a#b']);
  const hostile = ['\u202e', '\u200b', '\n', '\t', '\x1b', '\u00a0', '\u3000', '\u0301', '\u{e0041}', "'", '\\', '"', '$', '`', ' ', '#', '{', '}', '*', 'a', 'é'];
  const word = fc.string({ unit: fc.oneof(fc.constantFrom(...hostile), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), minLength: 1, maxLength: 10 }).filter((w) => !w.includes('\0') && !/\p{Cs}/u.test(w));
  fc.assert(
    fc.property(fc.array(word, { maxLength: 6 }), (words) => {
      assert.deepEqual(parseArgs(formatCommand(words)), words);
    }),
    { numRuns: 1000 },
  );
});

// Words of plain characters with # anywhere but first need no quotes at all.
test('unquoted words with # inside them split as sh splits them', () => {
  const word = fc.tuple(fc.constantFrom(...'abcXYZ019_=./:,+@%-'), fc.string({ unit: fc.constantFrom(...'abc019_=#./:,+@%-'), maxLength: 10 })).map(([a, b]) => a + b);
  fc.assert(
    fc.property(fc.array(word, { minLength: 1, maxLength: 8 }), (words) => {
      assert.deepEqual(parseArgs(words.join(' ')), words);
    }),
    { numRuns: 500 },
  );
});
