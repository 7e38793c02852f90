/** What an error says, whatever was thrown. */
export const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** For the `default` branch of a `switch` over a message union: a new message type cannot be forgotten. */
export function assertNever(value: never): never {
  throw new Error(`Unexpected message ${JSON.stringify(value)}`);
}
