// A job from the hub runs again only as this window would run it, and only after the user saw
// the exact command: the stored argv must be the rebuilt one, word for word, and the
// confirmation shows every word, hidden characters included.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitsDialog, MAX_QUESTION_CHARS } from '../../../src/core/jobs/runQuestion';
import { commandMismatch, rerunQuestion, storedRemote, storedTarget } from '../../../src/core/jobs/storedRerun';
import { formatCommand } from '../../../src/shared/format';
import { presetMatching } from '../../../src/core/logs/placeholders';
import { LOG_PRESETS } from '../../../src/core/logs/presets';
import type { JobInfo } from '../../../src/shared/jobs';
import { newJob } from '../store/helpers';

const HOSTILE = '--eval=$(shell touch /tmp/pwned)';

test('storedTarget: alias, target and arguments of a target job, checked as a click would be', () => {
  assert.deepEqual(storedTarget(newJob({ args: ['ENV=staging'] })), { alias: 'web', target: 'build', args: ['ENV=staging'] });
  assert.deepEqual(storedTarget(newJob({ args: undefined })).args, []);
  assert.throws(() => storedTarget(newJob({ target: '-f/etc/passwd' })), /Expected a target name/);
  assert.throws(() => storedTarget(newJob({ target: 'a b' })), /Expected a target name/);
  assert.throws(() => storedTarget(newJob({ alias: '../bin/sh' })), /Expected an alias/);
  assert.throws(() => storedTarget(newJob({ alias: undefined })), /which project and target/);
  assert.throws(() => storedTarget(newJob({ args: [1, 2] as unknown as string[] })), /not a list of words/);
  assert.throws(() => storedTarget(newJob({ kind: 'terminal' })), /terminal job/);
});

test('commandMismatch: the same words pass; arguments the argv does not show are refused with both commands', () => {
  const here = ['make', '-C', '/src/web', '--no-print-directory', 'build', HOSTILE];
  assert.equal(commandMismatch([...here], here, 'web build'), undefined);
  // The history showed `make … build`; the hostile argument only in `args`.
  const reason = commandMismatch(['make', '-C', '/src/web', '--no-print-directory', 'build'], here, `web build '${HOSTILE}'`);
  assert.equal(
    reason,
    "The stored command `make -C /src/web --no-print-directory build` is not what `web build '--eval=$(shell touch /tmp/pwned)'` runs here " +
      "(`make -C /src/web --no-print-directory build '--eval=$(shell touch /tmp/pwned)'`), so it is not run.",
  );
  // Words split differently read the same when joined; they are not the same command.
  assert.ok(commandMismatch(['web', 'build', 'A=1 B=2'], ['web', 'build', 'A=1', 'B=2'], 'web build'));
  assert.ok(commandMismatch(['web', 'build'], ['web', 'build', ''], 'web build'));
  assert.match(commandMismatch('web build', ['web', 'build'], 'web build') ?? '', /not a list of words/);
  assert.match(commandMismatch([1], ['web'], 'web') ?? '', /not a list of words/);
});

test('formatCommand: quoted for a shell, and characters that would not show are written out', () => {
  assert.equal(formatCommand(['web', 'build', 'ENV=prod', 'a b', "it's"]), `web build ENV=prod 'a b' 'it'\\''s'`);
  // A right-to-left override, a zero-width space, a newline and an escape cannot hide anything.
  assert.equal(formatCommand(['echo', 'safe\u202e', 'x\u200by', 'a\nb', '\u001b[2J']), "echo $'safe\\u202E' $'x\\u200By' $'a\\nb' $'\\x1B[2J'");
});

test('rerunQuestion: the exact command, the arguments on their own, where, and who reported it', () => {
  const argv = ['web', 'build', HOSTILE];
  const q = rerunQuestion({ what: 'web build', argv, args: [HOSTILE], place: 'In /src/web, in a console tab.' }, { hostname: 'laptop-2', reporter: 'another-window' });
  assert.equal(q.message, 'Run web build from the history?');
  const lines = q.detail.split('\n');
  assert.equal(lines[1], `web build '${HOSTILE}'`);
  assert.equal(lines[2], `Arguments: '${HOSTILE}'`);
  assert.equal(lines[3], 'In /src/web, in a console tab.');
  assert.match(q.detail, /reported by laptop-2, another-window/);
  assert.match(rerunQuestion({ what: 'web lint', argv: ['web', 'lint'], args: [], place: '' }, {}).detail, /Arguments: none/);
  // Hidden characters in what the hub says are written out there too, and in where it runs.
  assert.match(rerunQuestion({ what: 'web lint', argv: ['web', 'lint'], args: [], place: '' }, { hostname: 'a\u202eb' }).detail, /a\\u\{202e\}b/);
  assert.equal(rerunQuestion({ what: 'web lint', argv: ['web', 'lint'], args: [], place: 'On lab/web\u202e-1.' }, {}).detail.split('\n')[3], 'On lab/web\\u{202e}-1.');
  // A title longer than a line of the dialog would be drawn over the command: a short one instead.
  assert.equal(rerunQuestion({ what: `web ${'t'.repeat(60)}`, argv: ['web', 'lint'], args: [], place: '' }, {}).message, 'Run this job from the history?');
});

test('rerunQuestion: a long command is in the question whole, not cut (askToRun shows it in an editor)', () => {
  const long = `${'x'.repeat(MAX_QUESTION_CHARS)}END`;
  const q = rerunQuestion({ what: 'web build', argv: ['web', 'build', long], args: [long], place: '' }, {});
  assert.equal(fitsDialog(q), false);
  assert.equal(q.detail.split('\n')[1], `web build ${long}`);
});

test('storedRemote: the VM and the command on it; older jobs without it cannot be rerun', () => {
  const remote = (over: Partial<JobInfo>): JobInfo => newJob({ kind: 'remote-command', alias: undefined, target: undefined, vm: 'staging/web-1', args: ['uptime'], ...over });
  assert.deepEqual(storedRemote(remote({})), { kind: 'remote-command', vm: 'staging/web-1', remoteArgv: ['uptime'] });
  assert.throws(() => storedRemote(remote({ args: undefined })), /does not record its command/);
  assert.throws(() => storedRemote(remote({ args: [] })), /does not record its command/);
  assert.throws(() => storedRemote(remote({ vm: 'web-1' })), /which VM/);
  assert.throws(() => storedRemote(newJob()), /Expected a job on a VM/);
});

test('presetMatching: a log command is one of the presets, with its placeholders filled by safe values', () => {
  const syslog = LOG_PRESETS.find((p) => p.id === 'syslog')!;
  const docker = LOG_PRESETS.find((p) => p.id === 'docker')!;
  assert.equal(presetMatching(LOG_PRESETS, [...syslog.argv]), syslog);
  assert.equal(presetMatching(LOG_PRESETS, ['docker', 'logs', '-f', '--tail', '200', 'api']), docker);
  assert.equal(presetMatching(LOG_PRESETS, ['docker', 'logs', '-f', '--tail', '200', '--help']), undefined, 'a value that is an option');
  assert.equal(presetMatching(LOG_PRESETS, ['tail', '-n', '200', '-F', '/etc/shadow']), undefined);
  assert.equal(presetMatching(LOG_PRESETS, ['sh', '-c', 'touch /tmp/pwned']), undefined);
  assert.equal(presetMatching([{ argv: ['cat', '/var/log/${app}.log'] }], ['cat', '/var/log/api.log'])?.argv[1], '/var/log/${app}.log');
  assert.equal(presetMatching([{ argv: ['cat', '/var/log/${app}.log'] }], ['cat', '/var/log/apixlog']), undefined, 'the dot is literal');
});
