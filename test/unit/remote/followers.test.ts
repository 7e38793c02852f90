import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { dockerFollower, kubectlFollower, podmanFollower } from '../../../src/core/logs/containerFollower';
import { formatEntry, journalFollower } from '../../../src/core/logs/journalFollower';
import { followerFor, type LogFollower } from '../../../src/core/logs/logFollower';
import { LOG_PRESETS } from '../../../src/core/logs/presets';
import { tailFollower } from '../../../src/core/logs/tailFollower';
import { withoutOption } from '../../../src/core/logs/withoutOption';

// The resume logic of each follower, fed the lines its command would print. tail's start
// script also runs here for real; journalctl and docker are not on this machine, so their
// output is written the way `journalctl -o json` and `docker logs --timestamps` print it.

/** Feeds lines of one connection; returns what is shown. */
function connection(follower: LogFollower, lines: string[]): string[] {
  follower.connected();
  return lines.map((line) => follower.accept(line)).filter((text): text is string => text !== undefined);
}

const preset = (id: string): readonly string[] => LOG_PRESETS.find((p) => p.id === id)!.argv;

test('followerFor picks a resuming follower by command, and runs any other command again as it is', () => {
  const containers = [['docker', 'logs', '-f', '--tail', '200', 'web'], ['podman', 'logs', '--follow', 'web'], ['kubectl', '--context', 'prod', 'logs', '-f', 'deploy/web']];
  for (const argv of [preset('syslog'), preset('journal'), ...containers]) {
    assert.equal(followerFor(argv).resumes, true, argv.join(' '));
  }
  assert.equal(followerFor(preset('syslog')).command()[0], 'sh');
  // Commands no follower knows, and forms of known ones that cannot resume.
  for (const argv of [['kubectl', 'logs', 'deploy/web'], ['/opt/bin/logs.sh', '--follow'], ['tail', '-f', '/x'], ['journalctl', '-n', '10'], ['docker', 'logs', 'web']]) {
    const follower = followerFor(argv);
    assert.equal(follower.resumes, false, argv.join(' '));
    assert.deepEqual(connection(follower, ['a', 'tail: x', '']), ['a', 'tail: x', '']);
    assert.deepEqual(follower.command(), argv, 'each connection runs the same command');
  }
});

test('withoutOption removes an option with its value in every spelling', () => {
  assert.deepEqual(withoutOption(['journalctl', '-f', '-n', '200', '-u', 'nginx'], ['-n', '--lines']), ['journalctl', '-f', '-u', 'nginx']);
  assert.deepEqual(withoutOption(['journalctl', '-n200', '--lines=5', '--lines', '7', '-f'], ['-n', '--lines']), ['journalctl', '-f']);
  assert.deepEqual(withoutOption(['docker', 'logs', '--tail=5', '-f', 'web'], ['--tail', '-n']), ['docker', 'logs', '-f', 'web']);
});

test('tail: the first command asks for the last N lines, the next resumes at the line after the last shown', () => {
  const follower = tailFollower(['tail', '-n', '200', '-F', '/var/log/my app.log']);
  const [sh, c, script, name, file, lines, resume] = follower.command();
  assert.deepEqual([sh, c, name, file, lines, resume], ['sh', '-c', 'sh', '/var/log/my app.log', '200', '']);
  assert.match(script, /exec tail -n "\+\$s" -F -- "\$1"/);
  // The script printed 41 (the first line it shows is line 41), then lines 41 to 43.
  assert.deepEqual(connection(follower, ['41', 'l41', 'l42', 'l43']), ['l41', 'l42', 'l43']);
  assert.equal(follower.command()[6], '44');
  assert.deepEqual(connection(follower, ['44', 'l44']), ['l44']);
  assert.equal(follower.command()[6], '45');
});

test("tail: its own notes are shown but not counted; truncation or rotation counts from line 1", () => {
  const follower = tailFollower(['tail', '-n', '2', '-F', '/l']);
  connection(follower, ['1', "tail: cannot open '/l' for reading: No such file or directory", "tail: '/l' has appeared;  following new file", 'a', 'b']);
  assert.equal(follower.command()[6], '3');
  assert.deepEqual(connection(follower, ['3', 'c', 'tail: /l: file truncated', 'x']), ['c', 'tail: /l: file truncated', 'x']);
  assert.equal(follower.command()[6], '2');
  connection(follower, ['2', "tail: '/l' has been replaced;  following new file", 'n1', 'n2', 'n3']);
  assert.equal(follower.command()[6], '4');
});

test('tail: the start script picks the right first line, and a missing file starts at 1', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vmo-tail-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'log');
  writeFileSync(file, 'one\ntwo\nthree\nfour\nfive\n');
  const script = tailFollower(['tail', '-n', '2', '-F', file]).command()[2].replace('exec tail', 'exec echo tail');
  const run = (...args: string[]) => execFileSync('dash', ['-c', script, 'sh', ...args], { encoding: 'utf8' });
  assert.equal(run(file, '2', ''), `4\ntail -n +4 -F -- ${file}\n`);
  assert.equal(run(file, '200', ''), `1\ntail -n +1 -F -- ${file}\n`);
  assert.equal(run(file, '2', '17'), `17\ntail -n +17 -F -- ${file}\n`);
  assert.equal(run(path.join(dir, 'missing'), '2', ''), `1\ntail -n +1 -F -- ${path.join(dir, 'missing')}\n`);
});

/** A `journalctl -o json` line. */
function entry(cursor: string, message: string | number[], micros = '1700000000123456'): string {
  return JSON.stringify({ __CURSOR: cursor, __REALTIME_TIMESTAMP: micros, _HOSTNAME: 'web-1', SYSLOG_IDENTIFIER: 'nginx', _PID: '42', MESSAGE: message });
}

test('journalctl: read as JSON, shown as text, resumed after the last cursor without -n', () => {
  const follower = journalFollower(['journalctl', '-f', '-n', '200', '-u', 'nginx']);
  assert.deepEqual(follower.command(), ['journalctl', '-f', '-n', '200', '-u', 'nginx', '-o', 'json', '--no-pager']);
  const shown = connection(follower, [entry('s=1', 'started'), 'Hint: You are currently not seeing messages from other users.', entry('s=2', [104, 105])]);
  assert.deepEqual(shown, [
    '2023-11-14T22:13:20.123Z web-1 nginx[42]: started',
    'Hint: You are currently not seeing messages from other users.',
    '2023-11-14T22:13:20.123Z web-1 nginx[42]: hi',
  ]);
  assert.deepEqual(follower.command(), ['journalctl', '-f', '-u', 'nginx', '-o', 'json', '--no-pager', '-n', 'all', '--after-cursor', 's=2']);
  // Should the entry at the cursor come again, it is not shown twice.
  assert.deepEqual(connection(follower, [entry('s=2', 'hi'), entry('s=3', 'next')]), ['2023-11-14T22:13:20.123Z web-1 nginx[42]: next']);
});

test('journalctl: an entry without identifier, pid or message still makes a line', () => {
  assert.equal(formatEntry({ __CURSOR: 'c', __REALTIME_TIMESTAMP: '0', _COMM: 'kernel', MESSAGE: null }), '1970-01-01T00:00:00.000Z - kernel: [binary data]');
});

const ts = (ms: number, nanos = '000000'): string => `2024-05-01T10:00:00.${String(ms).padStart(3, '0')}${nanos}Z`;

test('docker: --timestamps first, --since <last time> on resume, boundary lines dropped once each', () => {
  const follower = dockerFollower(['docker', 'logs', '-f', '--tail', '200', 'web']);
  assert.deepEqual(follower.command(), ['docker', 'logs', '--timestamps', '-f', '--tail', '200', 'web']);
  assert.deepEqual(connection(follower, [`${ts(1)} a`, `${ts(2)} b`, `${ts(2)} c`]), ['a', 'b', 'c']);
  assert.deepEqual(follower.command(), ['docker', 'logs', '--timestamps', '--since', ts(2), '-f', 'web']);
  // --since includes its instant: b and c come again, then a new line with the same time and text as b.
  assert.deepEqual(connection(follower, [`${ts(2)} b`, `${ts(2)} c`, `${ts(2)} b`, `${ts(3)} d`]), ['b', 'd']);
  assert.deepEqual(follower.command().slice(2, 5), ['--timestamps', '--since', ts(3)]);
});

test('docker: older lines sent again are dropped only while resuming; live lines are never dropped', () => {
  const follower = dockerFollower(['docker', 'logs', '-f', 'web']);
  assert.deepEqual(connection(follower, [`${ts(5)} e`, `${ts(4)} out of order`, `${ts(5)} e`, '', 'Error response from daemon: x']), ['e', 'out of order', 'e', '', 'Error response from daemon: x']);
  assert.deepEqual(connection(follower, [`${ts(4)} out of order`, `${ts(5)} e`, `${ts(5)} e`, `${ts(5)} e`, `${ts(6)} f`]), ['e', 'f']);
});

test('docker: stamps of different precision compare as times, an empty line keeps its place', () => {
  const follower = dockerFollower(['docker', 'logs', '-f', 'web']);
  connection(follower, ['2024-05-01T10:00:00.5Z x', '2024-05-01T10:00:00.500000000Z']);
  assert.deepEqual(connection(follower, ['2024-05-01T10:00:00.50Z x', '2024-05-01T10:00:00.5Z', '2024-05-01T10:00:00.6Z y']), ['y']);
});

test('kubectl: resumed with --since-time=<last time>, without the first command\'s --tail or --since', () => {
  const follower = kubectlFollower(['kubectl', '-n', 'shop', 'logs', '-f', '--tail=50', '--since', '1h', 'deploy/web']);
  assert.deepEqual(follower.command(), ['kubectl', '-n', 'shop', 'logs', '--timestamps', '-f', '--tail=50', '--since', '1h', 'deploy/web']);
  assert.deepEqual(connection(follower, [`${ts(1)} a`, `${ts(2)} b`]), ['a', 'b']);
  assert.deepEqual(follower.command(), ['kubectl', '-n', 'shop', 'logs', '--timestamps', `--since-time=${ts(2)}`, '-f', 'deploy/web']);
  assert.deepEqual(connection(follower, [`${ts(2)} b`, `${ts(3)} c`]), ['c']);
});

test('podman: stamps with a local offset compare as UTC times, and resume at the stamp as printed', () => {
  const follower = podmanFollower(['podman', 'logs', '-f', '-n', '20', 'web']);
  // 12:00:01+02:00 is 10:00:01Z: after 10:00:00.5Z, before 10:00:02Z.
  assert.deepEqual(connection(follower, ['2024-05-01T10:00:00.5Z a', '2024-05-01T12:00:01.000000000+02:00 b']), ['a', 'b']);
  assert.deepEqual(follower.command(), ['podman', 'logs', '--timestamps', '--since', '2024-05-01T12:00:01.000000000+02:00', '-f', 'web']);
  assert.deepEqual(connection(follower, ['2024-05-01T12:00:01.000000000+02:00 b', '2024-05-01T10:00:00.9Z old', '2024-05-01T10:00:02Z c']), ['c']);
  // Not a date after all: shown as it is.
  assert.deepEqual(connection(podmanFollower(['podman', 'logs', '-f', 'web']), ['2024-13-45T99:00:00Z odd']), ['2024-13-45T99:00:00Z odd']);
});
