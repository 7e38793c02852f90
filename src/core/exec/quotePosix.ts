// Quotes one word for a POSIX shell; plain words stay as they are. Used for command lines that
// people read or paste, and for the remote command that ssh hands to the VM's shell.
export function quotePosix(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
