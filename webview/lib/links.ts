// Finds what in a line of output can be clicked: URLs, and file positions as compilers,
// linters and make print them (`src/a.c:12:5`, `Makefile:3`). Runs on visible rows only.
import type { LinkTarget } from '../../src/shared/protocol';

export interface LinkRange {
  start: number;
  end: number;
  target: LinkTarget;
}

/** Web addresses: the only ones the console opens (consolePanel.ts), so the only ones drawn as links. */
const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/g;
/**
 * A path (optionally absolute, `~/`, `./`, `../` or `C:\`) followed by `:line` and an optional
 * `:column`, not glued to a word or another path before it.
 */
const POSITION_RE = /(?<![\w./\\~-])((?:[A-Za-z]:[\\/]|~[\\/]|\.{1,2}[\\/]|[\\/])?(?:[\w.@+-]+[\\/])*[\w@+-][\w.@+-]*):(\d+)(?::(\d+))?/g;
/** File names that are paths without a slash or an extension. */
const BARE_NAMES = new Set(['Makefile', 'makefile', 'GNUmakefile', 'Dockerfile', 'Containerfile', 'Jenkinsfile', 'Vagrantfile', 'Rakefile', 'Gemfile', 'Justfile', 'justfile']);
const EXTENSION_RE = /\.[A-Za-z][\w-]*$/;
const TRAILING = /[.,;:!?'")\]}>]+$/;

/** Links in `text`, sorted, not overlapping. */
export function findLinks(text: string): LinkRange[] {
  if (text.length < 3 || text.indexOf(':') < 0) return [];
  const links: LinkRange[] = [];
  URL_RE.lastIndex = 0;
  for (let m = URL_RE.exec(text); m !== null; m = URL_RE.exec(text)) {
    const url = trimUrl(m[0]);
    if (url.indexOf('://') + 3 < url.length) links.push({ start: m.index, end: m.index + url.length, target: { url } });
  }
  POSITION_RE.lastIndex = 0;
  for (let m = POSITION_RE.exec(text); m !== null; m = POSITION_RE.exec(text)) {
    const start = m.index;
    const end = start + m[0].length;
    if (links.some((l) => start < l.end && end > l.start)) continue;
    const path = m[1]!;
    if (!looksLikePath(path)) continue;
    const line = Number(m[2]);
    if (!Number.isSafeInteger(line) || line < 1) continue;
    const column = m[3] === undefined ? 0 : Number(m[3]);
    const target: LinkTarget = column >= 1 && Number.isSafeInteger(column) ? { path, line, column } : { path, line };
    links.push({ start, end, target });
  }
  return links.sort((a, b) => a.start - b.start);
}

function looksLikePath(path: string): boolean {
  if (!/[A-Za-z]/.test(path)) return false;
  if (/[\\/]/.test(path)) return true;
  return BARE_NAMES.has(path) || EXTENSION_RE.test(path);
}

/** Drops punctuation that ends a sentence rather than the URL, keeping balanced parentheses. */
function trimUrl(url: string): string {
  let out = url;
  for (;;) {
    const m = TRAILING.exec(out);
    if (!m) return out;
    let cut = out.length - m[0].length;
    // Keep a `)` that closes a `(` inside the URL, as in Wikipedia links.
    while (cut < out.length && out[cut] === ')' && count(out.slice(0, cut), '(') > count(out.slice(0, cut), ')')) cut++;
    if (cut === out.length) return out;
    out = out.slice(0, cut);
  }
}

function count(s: string, ch: string): number {
  let n = 0;
  for (let i = s.indexOf(ch); i >= 0; i = s.indexOf(ch, i + 1)) n++;
  return n;
}
