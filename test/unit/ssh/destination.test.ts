import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { assertSshDestination, sshDestinationProblem, sshFieldProblem } from '../../../src/core/ssh/destination';
import { sshCommandLine } from '../../../src/core/ssh/commandLine';
import { sshRemoteArgv } from '../../../src/core/ssh/remoteCommand';

// One check for every destination handed to ssh. Valid host names, IPv4 and IPv6 literals and
// `user@host` pass; one bad character anywhere is refused, naming the part it is in.

const hosts = fc.oneof(fc.domain(), fc.ipV4(), fc.ipV6(), fc.ipV6().map((ip) => `${ip}%eth0`), fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,20}$/));
const users = fc.stringMatching(/^[a-z_][a-z0-9_.-]{0,15}$/);
const destinations = fc.tuple(fc.option(users, { nil: undefined }), hosts).map(([user, host]) => ({ user, host, destination: user === undefined ? host : `${user}@${host}` }));

// One character of each kind the check refuses.
const refusedChars = fc.constantFrom(
  ...'\'"`$\\;&|<>(){}[]*?!#~',
  ' ', '\t', '\n', '\r', '\v', '\f', '\u00a0', '\u2028', '\u3000',
  '\x00', '\x07', '\x1b', '\x7f', '\x85', '\x9b',
  '\u200b', '\u202e', '\u2066', '\ufeff',
  '\ufffd', '\ud800', '\udfff',
);

test('valid hosts, IPv4 and IPv6 literals and user@host pass, as fields and as destinations', () => {
  fc.assert(
    fc.property(destinations, ({ user, host, destination }) => {
      assert.equal(sshFieldProblem('host', host), undefined);
      if (user !== undefined) assert.equal(sshFieldProblem('user', user), undefined);
      assert.equal(sshDestinationProblem(destination), undefined);
      assert.deepEqual(sshCommandLine(destination).argv, ['ssh', '--', destination]);
      assert.equal(sshRemoteArgv(destination, ['true']).at(-2), destination);
    }),
  );
});

test('one refused character anywhere in the user or the host is refused, naming that part', () => {
  fc.assert(
    fc.property(destinations, refusedChars, fc.nat(), fc.boolean(), ({ user, host }, bad, at, inUser) => {
      const intoUser = inUser && user !== undefined;
      const part = intoUser ? user! : host;
      const spoiled = part.slice(0, at % (part.length + 1)) + bad + part.slice(at % (part.length + 1));
      const destination = intoUser ? `${spoiled}@${host}` : user === undefined ? spoiled : `${user}@${spoiled}`;
      const problem = sshDestinationProblem(destination);
      assert.ok(problem, `refused: ${JSON.stringify(destination)}`);
      assert.ok(problem.startsWith(`the ${intoUser ? 'user' : 'host'} ${JSON.stringify(spoiled)} `) || problem.startsWith('the destination '), problem);
      assert.throws(() => assertSshDestination(destination), { message: `Expected an SSH destination (alias, host or user@host), got ${JSON.stringify(destination)}: ${problem}` });
      assert.throws(() => sshCommandLine(destination));
      assert.throws(() => sshRemoteArgv(destination, ['true']));
    }),
  );
});

test('a leading "-" in the destination, the user or the host is refused', () => {
  fc.assert(
    fc.property(destinations, users, ({ host }, user) => {
      assert.match(sshDestinationProblem(`-${host}`)!, /^the destination starts with "-", which ssh would take for an option$/);
      assert.match(sshDestinationProblem(`${user}@-${host}`)!, /^the host ".*" starts with "-"/);
      assert.equal(sshFieldProblem('user', `-${user}`), 'starts with "-", which ssh would take for an option');
    }),
  );
});

test('exact messages name the field and the character', () => {
  assert.equal(sshFieldProblem('host', 'a;b'), 'has ";", a shell metacharacter');
  assert.equal(sshFieldProblem('host', '$(id)'), 'has "$", a shell metacharacter');
  assert.equal(sshFieldProblem('user', 'a`id`'), 'has "`", a shell metacharacter');
  assert.equal(sshFieldProblem('host', 'web 1'), 'has whitespace (U+0020)');
  assert.equal(sshFieldProblem('host', 'web\n1'), 'has a control character (U+000A)');
  assert.equal(sshFieldProblem('host', 'we\ufffdb'), 'has U+FFFD, which stands for bytes that are not valid UTF-8');
  assert.equal(sshFieldProblem('host', 'we\ud800b'), 'has a lone surrogate (U+D800), which is not valid UTF-8');
  assert.equal(sshFieldProblem('alias', 'web\u202e1'), 'has an invisible formatting character (U+202E)');
  assert.equal(sshFieldProblem('host', 'admin@web'), 'has "@", which separates the user from the host');
  assert.equal(sshFieldProblem('alias', ''), 'is empty');
  assert.equal(sshFieldProblem('port', '22'), undefined);
  for (const port of ['0', '65536', '-1', '22 ', '2e3', '']) assert.equal(sshFieldProblem('port', port), 'is not a number from 1 to 65535');
  assert.equal(sshDestinationProblem('alice@'), 'the host "" is empty');
  assert.equal(sshDestinationProblem('@web'), 'the user "" is empty');
  assert.equal(sshDestinationProblem('al;ce@web'), 'the user "al;ce" has ";", a shell metacharacter');
});

test('what ssh itself accepts as a destination still passes', () => {
  for (const ok of ['web-1', 'deploy@10.0.0.5', '::1', 'deploy@::1', 'fe80::1%eth0', 'deploy@fe80::1%25eth0', 'user@host@jump', 'ssh://deploy@web:2222', 'büro.example', 'db_2.internal']) {
    assert.equal(sshDestinationProblem(ok), undefined, ok);
  }
});
