import path from 'node:path';

/** Where a target is written and the `## text` after it, found by reading makefile source. */
export interface TargetSource {
  file: string;
  line: number;
  description?: string;
}

// Reads rule headers from makefile text to know where each target is written and its
// `target: ## description` text. This is only for presentation: which targets exist comes
// from make itself (or mkcli), never from this scan.
export function scanMakefile(text: string, file: string): Map<string, TargetSource> {
  const found = new Map<string, TargetSource>();
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.startsWith('\t') || line.startsWith('#')) return;
    const header = /^([^:#=\s][^:#=]*?)\s*::?(?![=])(.*)$/.exec(line);
    if (!header) return;
    const rest = header[2];
    if (/^\s*[?+!]?=/.test(rest)) return;
    const descriptionMatch = /##\s*(.*?)\s*$/.exec(rest);
    const description = descriptionMatch?.[1] || undefined;
    for (const name of header[1].split(/\s+/)) {
      if (!name || name.includes('$') || found.has(name)) continue;
      found.set(name, { file, line: index + 1, ...(description ? { description } : {}) });
    }
  });
  return found;
}

/** The names GNU make tries in a folder, in its own order. */
export const MAKEFILE_NAMES = ['GNUmakefile', 'makefile', 'Makefile'] as const;

// The files named by `include`, `-include` and `sinclude` lines that need no expansion, relative
// to the project folder. Used when mkcli listed the targets and make's MAKEFILE_LIST is unknown.
export function literalIncludes(text: string, dir: string): string[] {
  const files: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:-include|sinclude|include)\s+(.+?)\s*(?:#.*)?$/.exec(line);
    if (!match) continue;
    for (const name of match[1].split(/\s+/)) {
      if (/[$*?[]/.test(name)) continue;
      files.push(path.resolve(dir, name));
    }
  }
  return files;
}
