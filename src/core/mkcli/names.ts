import { firstUnseen, visibleText } from '../../shared/format';

// Which aliases and target names may reach a command line: the same rules whether they come
// from the registry, `--list-targets`, make's database or a user typing into a prompt.

/** A name as an error message quotes it, with characters that would not show written out. */
const quoted = (name: string): string => visibleText(JSON.stringify(name));

// mkcli creates one executable per alias, so an alias is a portable file name that is not an option.
const ALIAS = /^[A-Za-z0-9_][A-Za-z0-9._+-]*$/;

// make accepts nearly anything in a target name, but a name that starts with `-` would be read
// as an option, and whitespace, `:`, `=`, `#`, `;` or control characters cannot name a single
// target on make's command line.
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const FORBIDDEN_IN_TARGET = /[\s:=#;\\\x00-\x1f\x7f]/;

/** Why `alias` cannot be an mkcli alias, or undefined when it can. */
export function aliasError(alias: string): string | undefined {
  if (ALIAS.test(alias)) return undefined;
  return `Expected an alias of letters, digits, ".", "_", "+" or "-" not starting with "-" or ".", got ${quoted(alias)}`;
}

// make reads these variables for how it runs recipes and which makefiles it reads: set from
// outside they would run something other than the target's recipe.
const MAKE_CONTROL = new Set(['SHELL', 'MAKESHELL', 'MAKEFLAGS', 'MFLAGS', 'GNUMAKEFLAGS', 'MAKEFILES', 'MAKE', 'MAKECMDGOALS', 'MAKEOVERRIDES']);

/**
 * Why `word` cannot be an argument of a run asked for from elsewhere (`from`: the hub, a workspace
 * file), or undefined: only `VAR=value` is taken, never a make option, another goal, or a variable
 * that changes how make runs.
 */
export function assignmentError(word: string, from = 'the hub'): string | undefined {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(word);
  if (!match) return `Expected VAR=value, got ${quoted(word)}: options and other targets are not taken from ${from}`;
  if (MAKE_CONTROL.has(match[1])) return `${match[1]} changes how make runs and is not taken from ${from}`;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\x00-\x1f\x7f]/.test(word)) return `Expected a value without control characters, got ${quoted(word)}`;
  return undefined;
}

/** What a name read from bytes that are not valid UTF-8 holds in their place (U+FFFD). */
export const NOT_UTF8 = '\ufffd';

/** Why `target` cannot be passed to make as one target, or undefined when it can. */
export function targetError(target: string): string | undefined {
  if (target.length === 0) return 'Expected a target name, got an empty string';
  // make would be given U+FFFD, not the bytes the makefile has: no such target.
  if (target.includes(NOT_UTF8)) return `Expected a target name of valid UTF-8, got ${quoted(target)} (U+FFFD stands for bytes that are not)`;
  if (target.startsWith('-') || FORBIDDEN_IN_TARGET.test(target)) {
    return `Expected a target name, got ${quoted(target)}`;
  }
  // A name is clicked as it shows: one with a right-to-left override, a zero-width or look-alike
  // space in it would show as another name (`\u202Etset` reads "test").
  const hidden = firstUnseen(target);
  if (hidden !== undefined) return `Expected a target name that shows as it is, got ${quoted(target)} (U+${hidden.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} does not show)`;
  return undefined;
}
