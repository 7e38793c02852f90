import { firstUnseen, visibleText } from '../../shared/format';

// Fills `${name}` in a preset's argv (`docker logs -f ${container}`) with values the user
// picked. A value becomes exactly one argument and is never read by a shell, but a leading `-`
// would make it an option of the remote program (`--help`, `-v`), so such values are refused;
// so are values that would not show as they are where they are picked (a container name from
// `docker ps` with a right-to-left override or a zero-width space reads as another).

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

// The names a preset asks for (`container` for docker logs), in order, each once: what the UI must pick first.
export function placeholderNames(argv: readonly string[]): string[] {
  return [...new Set(argv.flatMap((word) => [...word.matchAll(PLACEHOLDER)].map((match) => match[1])))];
}

/** Why `value` cannot fill a placeholder, or undefined when it can. */
export function placeholderValueError(name: string, value: string): string | undefined {
  if (value !== '' && !value.startsWith('-') && firstUnseen(value) === undefined) return undefined;
  return `Expected a value for \${${name}} that does not start with "-" and shows as it is (no control, format or look-alike space characters), got ${visibleText(JSON.stringify(value))}`;
}

// Returns the argv with every `${name}` replaced; throws with an exact message on a missing or bad value.
export function fillPlaceholders(argv: readonly string[], values: Readonly<Record<string, string>>): string[] {
  return argv.map((word) =>
    word.replace(PLACEHOLDER, (_, name: string) => {
      const value = Object.hasOwn(values, name) ? values[name] : undefined;
      if (value === undefined) throw new Error(`Expected a value for \${${name}}`);
      const bad = placeholderValueError(name, value);
      if (bad) throw new Error(bad);
      return value;
    }),
  );
}

// The first preset whose argv, filled with some values, is exactly `argv` — how a log command
// from the history is found among the presets this window offers — or undefined.
export function presetMatching<P extends { argv: readonly string[] }>(presets: readonly P[], argv: readonly string[]): P | undefined {
  return presets.find((preset) => {
    if (preset.argv.length !== argv.length) return false;
    const values: Record<string, string> = {};
    for (const [i, word] of preset.argv.entries()) {
      const names: string[] = [];
      const pattern = word.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|[^$]+|\$/g, (part, name: string | undefined) => {
        if (name === undefined) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(name);
        return '(.+?)';
      });
      const match = new RegExp(`^${pattern}$`, 's').exec(argv[i]);
      if (!match) return false;
      for (const [j, name] of names.entries()) {
        if (Object.hasOwn(values, name) && values[name] !== match[j + 1]) return false;
        values[name] = match[j + 1];
      }
    }
    try {
      const filled = fillPlaceholders(preset.argv, values);
      return filled.every((word, i) => word === argv[i]);
    } catch {
      return false;
    }
  });
}
