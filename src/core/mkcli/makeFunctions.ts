import path from 'node:path';
import { patsubstWord, TURN_COST, words, type Expander } from './makeExpand';
import { UNKNOWN } from './makeVariables';

type Fn = (x: Expander, args: string[], locals: ReadonlyMap<string, string> | undefined) => string;

const known = (...values: string[]): boolean => values.every((v) => !v.includes(UNKNOWN));

/** A function whose arguments are all expanded first; any unknown argument makes it unknown. */
function eager(body: (args: string[], x: Expander) => string): Fn {
  return (x, args, locals) => {
    const values = args.map((a) => x.expand(a, locals));
    return known(...values) ? body(values, x) : UNKNOWN;
  };
}

// A result that grows with the product of its arguments (`$(addprefix $(L),$(L))`) is paid for
// before it is built: built first, it could be gigabytes, or more than a string can hold.
const paid = (x: Expander, length: number, build: () => string): string => (x.spend(length) ? build() : UNKNOWN);

// `$(filter …)` and `$(filter-out …)`: exact patterns are looked up, `%` ones tried on each word.
const filter = (keep: boolean): Fn =>
  eager(([ps, text], x) => {
    const patterns = words(ps);
    const exact = new Set(patterns.filter((p) => !p.includes('%')));
    const wild = patterns.filter((p) => p.includes('%'));
    const ws = words(text ?? '');
    const matches = (w: string): boolean => exact.has(w) || wild.some((p) => patsubstWord(p, '\u0001', w) === '\u0001');
    return paid(x, ws.length * wild.length, () => ws.filter((w) => matches(w) === keep).join(' '));
  });

const wordFn = (body: (ws: string[], args: string[]) => string[] | string): Fn =>
  eager((args) => {
    const result = body(words(args[args.length - 1] ?? ''), args);
    return Array.isArray(result) ? result.join(' ') : result;
  });

const nth = (text: string): number => Number.parseInt(text.trim(), 10);

// make's text functions, evaluated; those that run a program, write a file or stop make
// (`shell`, `file`, `guile`, `error`, `load`) are unknown instead.
const table: Record<string, Fn> = {
  subst: eager(([from, to = '', text], x) => {
    if (from === '') return text;
    const parts = text.split(from);
    return paid(x, (parts.length - 1) * to.length, () => parts.join(to));
  }),
  patsubst: eager(([p, r = '', text], x) => {
    const ws = words(text ?? '');
    return paid(x, ws.length * r.length, () => ws.map((w) => patsubstWord(p.trim(), r.trim(), w)).join(' '));
  }),
  strip: eager(([text]) => words(text ?? '').join(' ')),
  findstring: eager(([find, text]) => ((text ?? '').includes(find) ? find : '')),
  filter: filter(true),
  'filter-out': filter(false),
  sort: wordFn((ws) => [...new Set(ws)].sort()),
  words: wordFn((ws) => String(ws.length)),
  word: eager(([n, text]) => words(text ?? '')[nth(n) - 1] ?? ''),
  wordlist: eager(([s, e, text]) => words(text ?? '').slice(nth(s) - 1, nth(e)).join(' ')),
  firstword: wordFn((ws) => ws.slice(0, 1)),
  lastword: wordFn((ws) => ws.slice(-1)),
  dir: wordFn((ws) => ws.map((w) => (w.includes('/') ? w.slice(0, w.lastIndexOf('/') + 1) : './'))),
  notdir: wordFn((ws) => ws.map((w) => w.slice(w.lastIndexOf('/') + 1))),
  suffix: wordFn((ws) => ws.map((w) => /(\.[^./]*)$/.exec(w)?.[1] ?? '').filter(Boolean)),
  basename: wordFn((ws) => ws.map((w) => w.replace(/\.[^./]*$/, ''))),
  addsuffix: eager(([s, text], x) => {
    const ws = words(text ?? '');
    return paid(x, ws.length * s.length, () => ws.map((w) => w + s).join(' '));
  }),
  addprefix: eager(([p, text], x) => {
    const ws = words(text ?? '');
    return paid(x, ws.length * p.length, () => ws.map((w) => p + w).join(' '));
  }),
  join: eager(([a, b]) => {
    const wa = words(a);
    const wb = words(b ?? '');
    return Array.from({ length: Math.max(wa.length, wb.length) }, (_, i) => (wa[i] ?? '') + (wb[i] ?? '')).join(' ');
  }),
  abspath: (x, args, locals) => absolute(x, args, locals),
  // realpath also resolves links; the path without them is what a listing needs.
  realpath: (x, args, locals) => absolute(x, args, locals),
  wildcard: (x, [text], locals) => {
    const patterns = x.expand(text ?? '', locals);
    return known(patterns) ? words(patterns).flatMap((p) => x.hooks.wildcard(p)).join(' ') : UNKNOWN;
  },
  if: (x, [cond, then, otherwise], locals) => {
    const c = x.expand(cond ?? '', locals).trim();
    if (c.includes(UNKNOWN)) return UNKNOWN;
    return x.expand(c !== '' ? (then ?? '') : (otherwise ?? ''), locals);
  },
  or: (x, args, locals) => {
    for (const a of args) {
      const v = x.expand(a, locals).trim();
      if (v.includes(UNKNOWN)) return UNKNOWN;
      if (v !== '') return v;
    }
    return '';
  },
  and: (x, args, locals) => {
    let v = '';
    for (const a of args) {
      v = x.expand(a, locals).trim();
      if (v.includes(UNKNOWN)) return UNKNOWN;
      if (v === '') return '';
    }
    return v;
  },
  foreach: (x, [name, list, body], locals) => {
    const n = x.expand(name ?? '', locals).trim();
    const l = x.expand(list ?? '', locals);
    if (!known(n, l)) return UNKNOWN;
    const values: string[] = [];
    for (const w of words(l)) {
      const value = x.expand(body ?? '', new Map([...(locals ?? []), [n, w]]));
      // A turn costs its locals and its text too, which expand does not charge for a plain body.
      if (!x.spend(TURN_COST + (locals?.size ?? 0) + value.length)) return UNKNOWN;
      values.push(value);
    }
    return values.join(' ');
  },
  call: (x, [name, ...params], locals) => {
    const n = x.expand(name ?? '', locals).trim();
    if (n.includes(UNKNOWN)) return UNKNOWN;
    const values = params.map((p) => x.expand(p, locals));
    const callLocals = new Map<string, string>([['0', n], ...values.map((v, i): [string, string] => [String(i + 1), v])]);
    // Unset $(3) … of a shorter call are empty, not the caller's.
    for (let i = values.length + 1; i <= 9; i++) callLocals.set(String(i), '');
    const variable = x.variables.get(n);
    if (!variable) return '';
    return variable.flavor === 'simple' ? variable.value : x.expand(variable.value, callLocals);
  },
  value: (x, [name], locals) => {
    const n = x.expand(name ?? '', locals).trim();
    return n.includes(UNKNOWN) ? UNKNOWN : (x.variables.get(n)?.value ?? '');
  },
  origin: (x, [name], locals) => (x.variables.isDefined(x.expand(name ?? '', locals).trim()) ? 'file' : 'undefined'),
  flavor: (x, [name], locals) => x.variables.get(x.expand(name ?? '', locals).trim())?.flavor ?? 'undefined',
  eval: (x, [text], locals) => {
    x.hooks.evaluate(x.expand(text ?? '', locals));
    return '';
  },
  info: () => '',
  warning: () => '',
  error: () => UNKNOWN,
  // Nothing is run. `$(shell pwd)` alone is read as what it prints when make runs in the
  // project folder, $(CURDIR); any other command is unknown.
  shell: (x, [command], locals) => (/^\s*'?pwd'?\s*$/.test(x.expand(command ?? '', locals)) ? x.variable('CURDIR') : UNKNOWN),
  file: () => UNKNOWN,
  guile: () => UNKNOWN,
  let: () => UNKNOWN,
  intcmp: () => UNKNOWN,
};

/** Names of the functions make knows: `$(name args)` with another name is a variable. */
export const FUNCTIONS: ReadonlySet<string> = new Set(Object.keys(table));

/** Calls make function `name` (one of FUNCTIONS) with its unexpanded arguments. */
export function callFunction(x: Expander, name: string, args: string[], locals: ReadonlyMap<string, string> | undefined): string {
  return table[name](x, args, locals);
}

function absolute(x: Expander, args: string[], locals: ReadonlyMap<string, string> | undefined): string {
  const text = x.expand(args[0] ?? '', locals);
  if (text.includes(UNKNOWN)) return UNKNOWN;
  const cwd = x.variable('CURDIR');
  return words(text)
    .map((w) => path.posix.resolve(cwd, w))
    .join(' ');
}
