// Text from the hub, a workspace file or the user's settings inside a tooltip's Markdown is shown
// as it is: a command as inline code with its backticks, a name with no markup, entity or link.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { escapeMarkdown, markdownCode } from '../../../src/host/views/markdownText';

// What CommonMark reads as the content of a code span: between the opening fence and the first
// run of backticks of the same length, with one space stripped from both ends when both have one.
function codeSpanContent(markdown: string): string {
  const fence = /^`+/.exec(markdown)![0];
  const rest = markdown.slice(fence.length);
  const close = [...rest.matchAll(/`+/g)].find((m) => m[0].length === fence.length)!;
  assert.equal(close.index + fence.length, rest.length, `the span ends where the text ends: ${markdown}`);
  const inner = rest.slice(0, close.index);
  return /^ .* $/s.test(inner) && inner.trim() !== '' ? inner.slice(1, -1) : inner;
}

test('markdownCode: backticks inside are kept and the span ends where the text ends', () => {
  assert.equal(markdownCode("make 'a`b'"), "``make 'a`b'``");
  assert.equal(markdownCode('`x``'), '``` `x`` ```');
  assert.equal(markdownCode('plain'), '`plain`');
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom('`', ' ', 'a', '$', '(', ')', '\\', '*', '_', '[', ']'), minLength: 1, maxLength: 20 }), (text) => {
      fc.pre(text.trim() !== '');
      assert.equal(codeSpanContent(markdownCode(text)), text);
    }),
  );
});

test('escapeMarkdown: markup, links, entities and strike-through are written as text', () => {
  assert.equal(escapeMarkdown('&#x202E;gnp.exe ~~done~~ [x](https://e) $(zap) **b**'), '\\&\\#x202E;gnp\\.exe \\~\\~done\\~\\~ \\[x\\]\\(https://e\\) \\$\\(zap\\) \\*\\*b\\*\\*');
});
