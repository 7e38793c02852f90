// Checks a destination before it is handed to ssh as an argument: one that starts with "-"
// would be read as an option (`-oProxyCommand=…`), whitespace or control characters never
// belong in a host name.

/** Throws when `destination` could be taken for an option or is not one word. */
export function assertValidDestination(destination: string): void {
  // eslint-disable-next-line no-control-regex -- control characters are what this rejects
  if (destination === '' || destination.startsWith('-') || /[\s\x00-\x1f\x7f]/.test(destination)) {
    throw new Error(`Expected an SSH destination (alias, host or user@host), got ${JSON.stringify(destination)}`);
  }
}
