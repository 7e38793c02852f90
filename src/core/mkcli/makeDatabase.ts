import path from 'node:path';
import type { Problem } from '../problem';

/** What make's printed database (`make -pRrq`) says about a project. */
export interface MakeDatabase {
  /** Explicit targets a user can run, in the order make lists them. */
  targets: string[];
  /** Every makefile make read (MAKEFILE_LIST), absolute. */
  makefiles: string[];
}

// Parses the output of `make -C dir -pRrq :`. Keeps real explicit targets and drops what a
// user cannot meaningfully run: entries marked "Not a target", special and hidden targets
// (`.PHONY`, `.DEFAULT`, `.venv` …), pattern rules, and the makefiles themselves.
export function parseMakeDatabase(text: string, dir: string): MakeDatabase {
  const lines = text.split('\n');
  const makefiles = parseMakefileList(lines, dir);
  const makefileSet = new Set(makefiles);
  const targets: string[] = [];
  const seen = new Set<string>();
  const start = lines.indexOf('# Files');
  if (start === -1) return { targets, makefiles };
  let notATarget = false;
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('# files hash-table stats') || line === '# VPATH Search Paths') break;
    if (line === '# Not a target:') {
      notATarget = true;
      continue;
    }
    if (line === '' || line.startsWith('#') || line.startsWith('\t')) {
      if (line === '') notATarget = false;
      continue;
    }
    const name = ruleName(line);
    const wasNotATarget = notATarget;
    notATarget = false;
    if (wasNotATarget || name === undefined || name.startsWith('.') || name.includes('%')) continue;
    if (seen.has(name) || makefileSet.has(path.resolve(dir, name))) continue;
    seen.add(name);
    targets.push(name);
  }
  return { targets, makefiles };
}

/** The target of a rule header `name: prereqs` or `name:: prereqs`, with `\:` unescaped. */
function ruleName(line: string): string | undefined {
  const match = /^((?:[^:\\]|\\.)+?)::?(?:\s|$)/.exec(line);
  if (!match) return undefined;
  return match[1].replace(/\\(.)/g, '$1');
}

function parseMakefileList(lines: string[], dir: string): string[] {
  const line = lines.find((l) => l.startsWith('MAKEFILE_LIST :='));
  if (!line) return [];
  return line
    .slice('MAKEFILE_LIST :='.length)
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((f) => path.resolve(dir, f));
}

// make reports fatal errors in makefiles as `file:line: *** message.  Stop.`; each becomes a
// problem at that place. Other lines on stderr are ignored: `-q` and the dummy `:` goal make
// some noise on every run.
export function parseMakeErrors(stderr: string, dir: string): Problem[] {
  const problems: Problem[] = [];
  for (const line of stderr.split('\n')) {
    const missingInclude = /^(.+?):(\d+): (.+?): No such file or directory$/.exec(line);
    if (missingInclude) {
      problems.push({
        severity: 'error',
        message: `Included file ${missingInclude[3]} does not exist`,
        file: path.resolve(dir, missingInclude[1]),
        line: Number(missingInclude[2]),
      });
      continue;
    }
    const located = /^(?:make(?:\[\d+\])?: )?(.+?):(\d+): \*\*\* (.+?)\.?(?:\s+Stop\.)?$/.exec(line);
    if (located) {
      problems.push({
        severity: 'error',
        message: located[3],
        file: path.resolve(dir, located[1]),
        line: Number(located[2]),
      });
      continue;
    }
    const general = /^make(?:\[\d+\])?: \*\*\* (.+?)\.?\s+Stop\.$/.exec(line);
    if (general && !general[1].startsWith("No rule to make target ':'") && problems.length === 0) {
      problems.push({ severity: 'error', message: general[1], file: path.join(dir, 'Makefile') });
    }
  }
  return problems;
}

/** The shell given to make for recipes: a path that does not exist, so no recipe can start. */
export const NO_RECIPE_SHELL = '/nonexistent/vm-orchestrator/no-recipe-runs';

// make's arguments for printing its database of a project without remaking anything.
// GNU make remakes makefiles and included files even under -q/-n, so every makefile known by
// name is marked old (`-o`), and every recipe is given a shell that does not exist (a
// pattern-specific `SHELL`, which leaves `$(shell …)` in the makefiles alone): an included file
// whose name only make can compute still gets no recipe run.
export function makeDatabaseArgs(makefileNames: readonly string[]): string[] {
  return ['-pRrq', ...makefileNames.flatMap((name) => ['-o', name]), '--eval', `%: override SHELL := ${NO_RECIPE_SHELL}`, ':'];
}
