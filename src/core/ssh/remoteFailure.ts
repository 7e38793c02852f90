// Why ssh itself failed, read from what it printed on stderr, as data the UI can act on: an
// unknown host key → offer an SSH terminal to check and accept it; a changed one → show
// OpenSSH's warning and the known_hosts line; the others → say what happened, retry later.

/** ssh could not run the command, and why. */
export type SshFailure =
  /** No key for the host in known_hosts, and BatchMode cannot ask. */
  | { kind: 'unknown-host-key'; host: string; message: string }
  /** The host sent another key than the one recorded: possibly a man-in-the-middle. */
  | { kind: 'changed-host-key'; host: string; message: string; warning: string; knownHostsFile?: string; line?: number }
  | { kind: 'permission-denied'; message: string }
  | { kind: 'connection-refused'; message: string }
  | { kind: 'timeout'; message: string }
  | { kind: 'name-resolution'; message: string }
  | { kind: 'unreachable'; message: string }
  /** An established connection ended: killed server-side, reset, keep-alives unanswered. */
  | { kind: 'connection-lost'; message: string }
  | { kind: 'other'; message: string };

/** The failure kinds worth a later retry: the network or the host may come back. */
export const TRANSIENT_SSH_FAILURES: ReadonlySet<SshFailure['kind']> = new Set(['connection-refused', 'timeout', 'name-resolution', 'unreachable', 'connection-lost']);

// Classifies ssh's stderr after it exited with 255. `destination` names the host when ssh's
// message does not (BatchMode prints only "Host key verification failed." for an unknown key).
// undefined when stderr holds nothing that ssh prints for a failure of its own.
export function classifySshFailure(stderr: string, destination: string): SshFailure | undefined {
  const text = stderr.replace(/\r\n?/g, '\n').trim();
  const lines = text.split('\n');
  const message = (pattern: RegExp): string | undefined => lines.find((line) => pattern.test(line));

  if (/REMOTE HOST IDENTIFICATION HAS CHANGED/.test(text)) {
    const start = text.search(/^@+$/m);
    const end = text.indexOf('Host key verification failed.');
    const warning = text.slice(Math.max(0, start), end < 0 ? undefined : end).trim();
    const host = /^Host key for (\S+) has changed/m.exec(text)?.[1] ?? destination;
    const offending = /^Offending \S+ key in (.+):(\d+)$/m.exec(text);
    return {
      kind: 'changed-host-key',
      host,
      message: `The host key of ${host} has changed: it may be a man-in-the-middle attack, or the host was reinstalled.`,
      warning,
      ...(offending ? { knownHostsFile: offending[1], line: Number(offending[2]) } : {}),
    };
  }
  if (/Host key verification failed\./.test(text)) {
    const host = /No \S+ host key is known for (\S+)/.exec(text)?.[1] ?? destination;
    return { kind: 'unknown-host-key', host, message: `The host key of ${host} is not known yet: verify it in an SSH terminal and accept it.` };
  }
  const found = (kind: Exclude<SshFailure['kind'], 'unknown-host-key' | 'changed-host-key'>, pattern: RegExp): SshFailure | undefined => {
    const line = message(pattern);
    return line === undefined ? undefined : { kind, message: line };
  };
  return (
    found('permission-denied', /Permission denied \(|Too many authentication failures/) ??
    found('name-resolution', /Could not resolve hostname|Name or service not known|Temporary failure in name resolution/) ??
    found('connection-refused', /Connection refused/) ??
    found('timeout', /timed out|Timeout, server .* not responding/) ??
    found('unreachable', /No route to host|Network is unreachable/) ??
    found('connection-lost', /Connection closed by|Connection reset|closed by remote host|Broken pipe|kex_exchange_identification|client_loop: send disconnect/) ??
    (text === '' ? undefined : { kind: 'other', message: lines[lines.length - 1] })
  );
}
