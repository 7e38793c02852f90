// Fills `${name}` in a preset's argv (`docker logs -f ${container}`) with values the user
// picked. A value becomes exactly one argument and is never read by a shell, but a leading `-`
// would make it an option of the remote program (`--help`, `-v`), so such values are refused.

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

// The names a preset asks for (`container` for docker logs), in order, each once: what the UI must pick first.
export function placeholderNames(argv: readonly string[]): string[] {
  return [...new Set(argv.flatMap((word) => [...word.matchAll(PLACEHOLDER)].map((match) => match[1])))];
}

// Returns the argv with every `${name}` replaced; throws with an exact message on a missing or bad value.
export function fillPlaceholders(argv: readonly string[], values: Readonly<Record<string, string>>): string[] {
  return argv.map((word) =>
    word.replace(PLACEHOLDER, (_, name: string) => {
      const value = Object.hasOwn(values, name) ? values[name] : undefined;
      if (value === undefined) throw new Error(`Expected a value for \${${name}}`);
      // eslint-disable-next-line no-control-regex -- control characters are what this rejects
      if (value === '' || value.startsWith('-') || /[\x00-\x1f\x7f]/.test(value)) {
        throw new Error(`Expected a value for \${${name}} that does not start with "-" and has no control characters, got ${JSON.stringify(value)}`);
      }
      return value;
    }),
  );
}
