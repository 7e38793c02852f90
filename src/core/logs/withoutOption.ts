// Removing an option from a log command's argv when a resumed command replaces it.

/** argv without the given option and its value (`-n 200`, `-n200`, `--lines 200`, `--lines=200`). */
export function withoutOption(argv: readonly string[], names: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (names.includes(word)) {
      i++;
      continue;
    }
    if (names.some((name) => (name.startsWith('--') ? word.startsWith(`${name}=`) : word.length > name.length && word.startsWith(name)))) continue;
    out.push(word);
  }
  return out;
}
