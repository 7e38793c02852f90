import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { quoteForLoginShell, remoteShellCommand } from '../../../src/core/ssh/remoteQuote';
import { nastyArguments } from './helpers';

// sshd runs the command string as `$SHELL -c <string>` with the user's login shell. These
// tests do the same with every login shell installed here, so quoting is checked against the
// real parsers; the sshd tests then check it through ssh.

const dir = mkdtempSync(path.join(os.tmpdir(), 'vmo-quote-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const marker = path.join(dir, 'marker');
const NASTY_ARGUMENTS = nastyArguments(marker);


const shells = ['/usr/bin/dash', '/usr/bin/bash', '/usr/bin/zsh', '/usr/bin/tcsh', '/usr/bin/csh', '/usr/bin/fish'].filter((shell) => existsSync(shell));

for (const shell of shells) {
  test(`${path.basename(shell)} as login shell: every argument reaches the program unchanged, nothing else runs`, { timeout: 20_000 }, () => {
    const command = remoteShellCommand(['printf', '%s|\\n', ...NASTY_ARGUMENTS]);
    const output = execFileSync(shell, ['-c', command], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', HOME: dir } });
    assert.equal(output, NASTY_ARGUMENTS.map((arg) => `${arg}|\n`).join(''));
    assert.equal(existsSync(marker), false, 'marker file created');
  });
}

test('a plain command stays readable', () => {
  assert.equal(remoteShellCommand(['tail', '-n', '200', '-F', '/var/log/syslog']), `sh -c 'exec tail -n 200 -F /var/log/syslog'`);
  assert.equal(remoteShellCommand(['docker', 'ps', '--format', '{{.Names}}']), `sh -c 'exec docker ps --format '\\''{{.Names}}'\\'''`);
});

test('the command string never holds a line break', () => {
  assert.doesNotMatch(remoteShellCommand(['printf', 'a\nb\r']), /[\n\r]/);
});

test('bad input is refused with an exact message', () => {
  assert.throws(() => remoteShellCommand([]), { message: 'Expected a remote command, got []' });
  assert.throws(() => remoteShellCommand(['']), { message: 'Expected a remote command, got [""]' });
  assert.throws(() => remoteShellCommand(['echo', 'a\0b']), { message: 'Expected remote arguments without NUL bytes, got "a\\u0000b"' });
  assert.throws(() => quoteForLoginShell('a\nb'), { message: 'Expected text without line breaks or NUL bytes to quote for a login shell, got "a\\nb"' });
});

test('quoteForLoginShell: quotes, backslashes and ! are written outside the single quotes', () => {
  assert.equal(quoteForLoginShell(`it's`), `'it'\\''s'`);
  assert.equal(quoteForLoginShell('a\\b!'), `'a'\\\\'b'\\!''`);
});
