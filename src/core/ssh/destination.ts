// The one check of everything that is handed to ssh as a destination — a config.yml host or
// ansible_user, an SSH config alias, `user@host` — used by the VMs view, the hover (`ssh -G`),
// the SSH terminal, Copy SSH Command, log streams and Run Command alike. It refuses what ssh
// could take for an option (a leading "-"), what is not one word (whitespace, control or
// invisible formatting characters), what a shell would read specially if a ProxyCommand or
// `Match exec` with %h or %r passed it on (OpenSSH 9.6 refuses most of these too), and text that
// was not valid UTF-8 in the file (js-yaml and Node decode bad bytes to U+FFFD; lone surrogates).

/** The parts of an SSH destination a file can give. */
export type SshField = 'host' | 'user' | 'port' | 'alias';

// Quotes, `$`, backticks, `\`, `;`, `&`, `|`, redirections, grouping, globs, history, comments,
// home expansion.
const SHELL_METACHARACTERS = new Set([...'\'"`$\\;&|<>(){}[]*?!#~']);

/** Why `value` cannot be the SSH `field`, e.g. `has ";", a shell metacharacter`; undefined when it can. */
export function sshFieldProblem(field: SshField, value: string): string | undefined {
  if (field === 'port') return /^\d{1,5}$/.test(value) && Number(value) >= 1 && Number(value) <= 65535 ? undefined : 'is not a number from 1 to 65535';
  if (value === '') return 'is empty';
  if (value.startsWith('-')) return 'starts with "-", which ssh would take for an option';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '\ufffd') return 'has U+FFFD, which stands for bytes that are not valid UTF-8';
    if (/\p{Cs}/u.test(ch)) return `has a lone surrogate (${codePoint(code)}), which is not valid UTF-8`;
    if (/\p{Cc}/u.test(ch)) return `has a control character (${codePoint(code)})`;
    if (/\s/u.test(ch)) return `has whitespace (${codePoint(code)})`;
    if (/\p{Cf}/u.test(ch)) return `has an invisible formatting character (${codePoint(code)})`;
    if (SHELL_METACHARACTERS.has(ch)) return `has ${JSON.stringify(ch)}, a shell metacharacter`;
    // ssh takes the user from before the last "@": a user may hold one (`alice@corp@host`), a host cannot.
    if (ch === '@' && field !== 'user') return 'has "@", which separates the user from the host';
  }
  return undefined;
}

/** Why `destination` (an alias, a host or `user@host`) cannot be given to ssh; undefined when it can. */
export function sshDestinationProblem(destination: string): string | undefined {
  const at = destination.lastIndexOf('@');
  const user = at < 0 ? undefined : destination.slice(0, at);
  const host = destination.slice(at + 1);
  if (destination.startsWith('-')) return `the destination ${sshFieldProblem('host', destination)}`;
  const problem = (user === undefined ? undefined : fieldProblem('user', user)) ?? fieldProblem('host', host);
  return problem;
}

/** Throws, with a message naming the part that is wrong, unless `destination` can be given to ssh. */
export function assertSshDestination(destination: string): void {
  const problem = sshDestinationProblem(destination);
  if (problem !== undefined) throw new Error(`Expected an SSH destination (alias, host or user@host), got ${JSON.stringify(destination)}: ${problem}`);
}

function fieldProblem(field: SshField, value: string): string | undefined {
  const problem = sshFieldProblem(field, value);
  return problem === undefined ? undefined : `the ${field} ${JSON.stringify(value)} ${problem}`;
}

function codePoint(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}
