// Shared by the remote tests: arguments that shells treat specially, and small waits.
import { setTimeout as sleep } from 'node:timers/promises';

/** Words each shell family treats specially, and attempts to run `touch <marker>`. */
export function nastyArguments(marker: string): string[] {
  return [
    "a'b", 'a\\b', "a\\\\'b", 'a!b', '!!', '!$', '!-1', 'a\nb', '\n', 'x\n', '\r', 'a\r\nb',
    `$(touch ${marker})`, `\`touch ${marker}\``, `;touch ${marker}`, `&& touch ${marker}`, `| touch ${marker}`, `\ntouch ${marker}`,
    'a b', '  ', '*', '~', '~root', '{a,b}', '%1', '"', '$HOME', '${HOME}', '$0', 'a\tb', 'é✓', '^x', '#x', '-n', '--', '', "'", '\\',
    '\\n', '$', '\'"\\$`!', '\x01\x7f', 'a;b', '(x)', '<x', '>x', '[x]', '?', 'x=$(id)', '%s',
  ];
}

/** Polls `condition` every 20 ms; throws after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}
