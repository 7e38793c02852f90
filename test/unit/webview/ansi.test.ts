import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { isPlainText, stripAnsi } from '../../../webview/lib/ansi';
import { LineStore } from '../../../webview/lib/lineStore';
import { assertGolden } from '../golden';
import { chunk, renderLines } from './helpers';

const GOLDEN = path.join(__dirname, '../../fixtures/console/ansi');
const ESC = '\x1b';

/** Parses `chunks` (one stream, in order) and returns the lines with their styles. */
function parse(...chunks: string[]) {
  const store = new LineStore({ maxLines: 1000 });
  for (const text of chunks) store.append(chunk(text));
  store.closeOpen();
  return renderLines(store);
}

// Each case is a list of chunks as a program could write them; the expected lines are in
// test/fixtures/console/ansi/<name>.json (UPDATE_GOLDEN=1 rewrites them after a deliberate change).
const CASES: Record<string, string[]> = {
  'colors-16': [
    `${ESC}[30mblack${ESC}[31mred${ESC}[32mgreen${ESC}[33myellow${ESC}[34mblue${ESC}[35mmagenta${ESC}[36mcyan${ESC}[37mwhite${ESC}[0m\n`,
    `${ESC}[90mgrey${ESC}[91mred${ESC}[97mwhite${ESC}[39m default\n`,
    `${ESC}[41mon red${ESC}[102mon bright green${ESC}[49m default\n`,
  ],
  'colors-256': [`${ESC}[38;5;196mred196${ESC}[48;5;21m on blue21${ESC}[38;5;8m grey8${ESC}[38;5;244m grey244${ESC}[m\n`],
  'colors-truecolor': [
    `${ESC}[38;2;255;128;0morange${ESC}[48;2;0;0;64m on navy${ESC}[0m\n`,
    `${ESC}[38:2::10:20:30mcolon form${ESC}[38:5:100m colon 256${ESC}[0m\n`,
  ],
  attributes: [
    `${ESC}[1mbold${ESC}[22m ${ESC}[2mdim${ESC}[22m ${ESC}[3mitalic${ESC}[23m ${ESC}[4munderline${ESC}[24m ${ESC}[7minverse${ESC}[27m ${ESC}[9mstrike${ESC}[29m plain\n`,
    `${ESC}[1;2;3;4;31mall on${ESC}[0m reset\n`,
    `${ESC}[1;31mbold red${ESC}[22m still red${ESC}[39m plain\n`,
  ],
  resets: [
    `${ESC}[31;42;1mset${ESC}[mempty reset${ESC}[31m${ESC}[0mno text between\n`,
    `${ESC}[31mred ${ESC}[;1mreset then bold\n`,
  ],
  'state-across-lines': [`${ESC}[32mgreen starts\nstill green\n${ESC}[0mplain\n`],
  'state-across-chunks': [`${ESC}[33myellow\n`, 'still yellow\n', `${ESC}[0m`, 'plain\n'],
  'split-sequences': [`a${ESC}`, `[31mred${ESC}[`, `1`, `;4mbold${ESC}[0`, `m plain\n`, `${ESC}]8;;https://example.com/x${ESC}`, `\\link${ESC}]8;;${ESC}\\ after\n`],
  'stripped-sequences': [
    `${ESC}[2J${ESC}[Hcleared ${ESC}[10;20Hmoved ${ESC}[K${ESC}[?25lhidden cursor${ESC}[?25h\n`,
    `${ESC}]0;window title\x07titled ${ESC}]2;other${ESC}\\ ${ESC}(Bcharset ${ESC}7save${ESC}8 ${ESC}=keypad\n`,
    `bell\x07 back\bspace nul\x00 so\x0esi\x0f ${ESC}P1$r0m${ESC}\\dcs ${ESC}[>4;1mprivate sgr ignored\n`,
    `\x9b31mc1 csi red\x9b0m plain\n`,
  ],
  'osc8-links': [`see ${ESC}]8;id=1;https://example.com/docs${ESC}\\the docs${ESC}]8;;${ESC}\\ and ${ESC}]8;;file:///tmp/a.txt\x07a file${ESC}]8;;\x07.\n`],
  'malformed': [`${ESC}[31;m after${ESC}[38;5m bad 256${ESC}[0m ${ESC}[999m unknown ${ESC}[38;2;300;0;0m out of range\n`, `${ESC}]0;never ended\nnext line\n`],
};

for (const [name, chunks] of Object.entries(CASES)) {
  test(`ANSI golden: ${name}`, () => {
    assertGolden(parse(...chunks), path.join(GOLDEN, `${name}.json`));
  });
}

test('16 colours map to palette entries, bold keeps the colour', () => {
  const [line] = parse(`${ESC}[31mr${ESC}[1mR${ESC}[0m\n`);
  assert.deepEqual(line!.spans, [
    ['r', 'fg=red'],
    ['R', 'fg=red bold'],
  ]);
});

test('256 and true colours', () => {
  const [line] = parse(`${ESC}[38;5;196ma${ESC}[38;2;1;2;3mb${ESC}[48;5;7mc\n`);
  assert.deepEqual(line!.spans, [
    ['a', 'fg=256:196'],
    ['b', 'fg=#010203'],
    ['c', 'fg=#010203 bg=white'],
  ]);
});

test('an escape sequence cut at every possible place gives the same lines', () => {
  const input = `x${ESC}[1;38;2;10;20;30mstyled${ESC}]8;;https://a.example/${ESC}\\link${ESC}]8;;${ESC}\\${ESC}[0m\ry\rz\n`;
  const whole = parse(input);
  for (let cut = 1; cut < input.length; cut++) {
    assert.deepEqual(parse(input.slice(0, cut), input.slice(cut)), whole, `cut at ${cut}`);
  }
});

test('state is carried across lines and chunks, per stream', () => {
  const store = new LineStore({ maxLines: 100 });
  store.append(chunk(`${ESC}[31mred\n`, 'stderr'));
  store.append(chunk('plain out\n', 'stdout'));
  store.append(chunk('red again\n', 'stderr'));
  const lines = renderLines(store);
  assert.deepEqual(lines[1], { text: 'plain out' });
  assert.deepEqual(lines[2], { text: 'red again', spans: [['red again', 'fg=red']] });
});

test('isPlainText and stripAnsi', () => {
  assert.equal(isPlainText('a\tb\nc'), true);
  assert.equal(isPlainText('a\rb'), false);
  assert.equal(isPlainText(`${ESC}[0m`), false);
  assert.equal(stripAnsi(`${ESC}[1;31merror${ESC}[0m: ${ESC}]0;t\x07done\n`), 'error: done\n');
});

test('an unterminated OSC does not swallow the next lines', () => {
  const lines = parse(`${ESC}]0;title without end\n`, 'visible\n');
  assert.deepEqual(lines, [{ text: '' }, { text: 'visible' }]);
});

test('a very long unfinished sequence is given up, not buffered forever', () => {
  const lines = parse(`${ESC}]0;${'x'.repeat(10_000)}`, 'y\n');
  assert.equal(lines.length, 1);
  assert.ok(lines[0]!.text.endsWith('xy'));
});
