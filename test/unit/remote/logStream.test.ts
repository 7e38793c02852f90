import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { Chunk } from '../../../src/shared/jobs';
import { followerFor } from '../../../src/core/logs/logFollower';
import { fillPlaceholders } from '../../../src/core/logs/placeholders';
import { logStreamCommand, startLogStream, type RunningLogStream } from '../../../src/core/ssh/logStream';
import { sshRemoteArgv } from '../../../src/core/ssh/remoteCommand';
import { sshdSkip, startSshd, type Sshd } from '../../harness/sshd';
import { waitFor } from './helpers';

// A `tail -F` log stream over a real sshd, of a file the test appends to; the connection is
// dropped by killing the sshd that serves it.

const TIMEOUT = { timeout: 60_000 };
const FAST_BACKOFF = { initialMs: 200, maxMs: 1000, healthyMs: 60_000 };

interface Watched {
  stream: RunningLogStream;
  chunks: Chunk[];
  /** Log lines shown (stdout), each with when it arrived. */
  lines: Array<{ text: string; at: number }>;
  system(): string;
}

describe('log streams over a real sshd', { skip: sshdSkip }, () => {
  let sshd: Sshd;
  const streams: RunningLogStream[] = [];
  before(async () => {
    sshd = await startSshd({ shells: ['/usr/bin/dash'] });
    sshd.writeKnownHosts('known');
  });
  after(async () => {
    for (const stream of streams) stream.cancel();
    await Promise.all(streams.map((s) => s.done));
    await sshd?.stop();
  });

  const watch = (argv: string[], tag?: string): Watched => {
    const chunks: Chunk[] = [];
    const lines: Watched['lines'] = [];
    let partial = '';
    const stream = startLogStream(sshd.alias, followerFor(argv), {
      configFile: sshd.configFile,
      tag,
      backoff: FAST_BACKOFF,
      onChunk: (chunk) => {
        chunks.push(chunk);
        if (chunk.stream !== 'stdout') return;
        const parts = (partial + chunk.text).split('\n');
        partial = parts.pop()!;
        for (const text of parts) lines.push({ text, at: Date.now() });
      },
    });
    streams.push(stream);
    const system = () => chunks.filter((c) => c.stream === 'system').map((c) => c.text).join('');
    return { stream, chunks, lines, system };
  };
  const logFile = (name: string) => path.join(sshd.scratchDir, `${name}-${randomUUID()}.log`);

  test('tail -F: the last lines first, then every appended line once, in order, within a second', TIMEOUT, async () => {
    const file = logFile('append');
    writeFileSync(file, 'old 1\nold 2\nold 3\nold 4\n');
    const watched = watch(['tail', '-n', '2', '-F', file]);
    await waitFor(() => watched.lines.length === 2, 10_000, 'the last two lines');
    const appended: Array<{ text: string; at: number }> = [];
    for (let i = 1; i <= 30; i++) {
      const text = `line ${i} ${'x'.repeat(i * 7)}`;
      appended.push({ text, at: Date.now() });
      appendFileSync(file, `${text}\n`);
      await sleep(i % 10 === 0 ? 0 : 40);
    }
    await waitFor(() => watched.lines.length === 32, 5000, 'thirty appended lines');
    assert.deepEqual(watched.lines.map((l) => l.text), ['old 3', 'old 4', ...appended.map((a) => a.text)]);
    for (const [i, { at }] of appended.entries()) {
      const latency = watched.lines[i + 2].at - at;
      assert.ok(latency < 1000, `line ${i + 1} arrived after ${latency} ms`);
    }
    assert.equal(watched.system(), '');
    assert.deepEqual(watched.chunks.map((c) => c.seq), watched.chunks.map((_, i) => i));
  });

  // A log job records the command of its first connection as logStreamCommand builds it (vmJobs.ts),
  // and a rerun is checked against it word for word: it must be what ssh was started with.
  test('the first connection runs the command a job records, word for word', TIMEOUT, async () => {
    const file = logFile('recorded');
    writeFileSync(file, 'one\n');
    const argv = ['tail', '-n', '5', '-F', file];
    const watched = watch(argv, 'job-1');
    await waitFor(() => watched.lines.length === 1, 10_000, 'the line');
    assert.deepEqual(watched.stream.argv, sshRemoteArgv(sshd.alias, logStreamCommand(followerFor(argv)), { configFile: sshd.configFile }, 'job-1'));
  });

  test('a command no follower knows runs again after a dropped connection, and the note says lines may repeat', TIMEOUT, async () => {
    const file = logFile('rerun');
    writeFileSync(file, 'one\ntwo\n');
    // `cat` then sleep: a user's own preset that prints what it has and waits, as a script would.
    const watched = watch(['sh', '-c', 'cat "$1"; exec sleep 60', 'sh', file]);
    await waitFor(() => watched.lines.length === 2, 10_000, 'the first two lines');
    assert.equal(sshd.killSessions(path.basename(file)), 1);
    await waitFor(() => /Reconnected\. This command cannot resume where it stopped: it runs again, and lines may repeat\.\n$/.test(watched.system()), 10_000, 'the reconnect note');
    await waitFor(() => watched.lines.length === 4, 5000, 'the lines again');
    assert.deepEqual(watched.lines.map((l) => l.text), ['one', 'two', 'one', 'two']);
    watched.stream.cancel();
    assert.equal((await watched.stream.done).status, 'canceled');
    await waitFor(() => sshd.processesWith(path.basename(file)).length === 0, 5000, 'no remote process');
  });

  test('a dropped connection: a note, a reconnect, and the log continues without gaps or repeats; cancel leaves no remote process', TIMEOUT, async () => {
    const file = logFile('drop');
    writeFileSync(file, Array.from({ length: 50 }, (_, i) => `before ${i + 1}\n`).join(''));
    const watched = watch(['tail', '-n', '5', '-F', file]);
    await waitFor(() => watched.lines.length === 5, 10_000, 'the last five lines');
    const expected = watched.lines.map((l) => l.text);
    let n = 0;
    const append = (count: number): void => {
      for (let i = 0; i < count; i++) {
        const text = `after ${++n}`;
        expected.push(text);
        appendFileSync(file, `${text}\n`);
      }
    };
    for (let drop = 1; drop <= 3; drop++) {
      append(10);
      await waitFor(() => watched.lines.length === expected.length, 5000, 'the lines before the drop');
      assert.equal(sshd.killSessions(path.basename(file)), 1);
      await waitFor(() => (watched.system().match(/Connection lost/g) ?? []).length === drop, 5000, 'the connection-lost note');
      // Lines written while the stream is disconnected.
      append(7);
      await waitFor(() => (watched.system().match(/Reconnected\./g) ?? []).length === drop, 10_000, 'the reconnect');
      append(3);
      await waitFor(() => watched.lines.length === expected.length, 5000, `all lines after drop ${drop}`);
    }
    assert.deepEqual(watched.lines.map((l) => l.text), expected);
    const lost = 'Connection lost \\(Connection to 127\\.0\\.0\\.1 closed by remote host\\), reconnecting in';
    assert.match(watched.system(), new RegExp(`^${lost} 0\\.2 s\\.\nReconnected\\.\n${lost} 0\\.4 s\\.\nReconnected\\.\n${lost} 0\\.8 s\\.\nReconnected\\.\n$`));
    assert.ok(watched.chunks.filter((c) => c.stream === 'system').length >= 6);
    assert.deepEqual(watched.chunks.map((c) => c.seq), watched.chunks.map((_, i) => i));

    assert.ok(sshd.processesWith(path.basename(file)).length > 0, 'tail runs remotely');
    watched.stream.cancel();
    const result = await watched.stream.done;
    assert.equal(result.status, 'canceled');
    await waitFor(() => sshd.processesWith(path.basename(file)).length === 0, 5000, `no remote tail:\n${sshd.processesWith(path.basename(file)).join('\n')}`);
  });

  test('cancel while waiting to reconnect ends the stream at once', TIMEOUT, async () => {
    const file = logFile('waiting');
    writeFileSync(file, 'one\n');
    const watched = watch(['tail', '-n', '1', '-F', file]);
    await waitFor(() => watched.lines.length === 1, 10_000, 'the first line');
    sshd.killSessions(path.basename(file));
    await waitFor(() => /Connection lost/.test(watched.system()), 5000, 'the connection-lost note');
    watched.stream.cancel();
    assert.equal((await watched.stream.done).status, 'canceled');
  });

  test('a file that is truncated: the stream follows it from its start, and a reconnect resumes right', TIMEOUT, async () => {
    const file = logFile('truncate');
    writeFileSync(file, 'a1\na2\na3\n');
    const watched = watch(['tail', '-n', '10', '-F', file]);
    await waitFor(() => watched.lines.length === 3, 10_000, 'three lines');
    writeFileSync(file, 'b1\n');
    await waitFor(() => watched.lines.some((l) => l.text === 'b1'), 5000, 'the line after truncation');
    sshd.killSessions(path.basename(file));
    appendFileSync(file, 'b2\n');
    await waitFor(() => watched.lines.some((l) => l.text === 'b2'), 10_000, 'the line after the reconnect');
    appendFileSync(file, 'b3\n');
    await waitFor(() => watched.lines.some((l) => l.text === 'b3'), 5000, 'b3');
    const texts = watched.lines.map((l) => l.text);
    assert.deepEqual(texts.filter((t) => !t.startsWith('tail: ')), ['a1', 'a2', 'a3', 'b1', 'b2', 'b3']);
    assert.ok(texts.some((t) => /^tail: .*file truncated/.test(t)), texts.join('\n'));
  });

  test('injection through a preset value runs nothing; the stream reports that tail cannot open the file', TIMEOUT, async () => {
    const marker = path.join(sshd.scratchDir, `marker-${randomUUID()}`);
    for (const value of [`x; touch ${marker}`, `$(touch ${marker})`, `\`touch ${marker}\``, `x' ; touch ${marker}; '`, `x" && touch ${marker} "`]) {
      const argv = fillPlaceholders(['tail', '-n', '5', '-F', '/tmp/${name}'], { name: value });
      const watched = watch(argv);
      await waitFor(() => watched.lines.some((l) => l.text.startsWith('tail: ')), 10_000, 'tail to report the missing file');
      // tail quotes the name in its own way; the whole value, `touch` included, was one file name.
      assert.ok(watched.lines.some((l) => /^tail: cannot open '\/tmp\/.*touch.*' for reading/.test(l.text)), watched.lines.map((l) => l.text).join('\n'));
      watched.stream.cancel();
      await watched.stream.done;
    }
    assert.equal(existsSync(marker), false);
  });

  test('an unknown host key ends the stream at once with the failure, without retrying', TIMEOUT, async (t) => {
    sshd.writeKnownHosts('unknown');
    t.after(() => sshd.writeKnownHosts('known'));
    const watched = watch(['tail', '-n', '1', '-F', logFile('hostkey')]);
    const result = await watched.stream.done;
    assert.equal(result.status, 'failed');
    assert.equal(result.sshFailure?.kind, 'unknown-host-key');
    assert.equal(watched.system(), `The host key of ${sshd.alias} is not known yet: verify it in an SSH terminal and accept it.\n`);
  });

  test('a remote command that ends by itself ends the stream with its exit code, its output shown', TIMEOUT, async () => {
    // The fake docker on the test PATH answers `docker logs` with an error and exit code 2.
    const watched = watch(['docker', 'logs', '-f', '--tail', '5', 'web-1']);
    const result = await watched.stream.done;
    assert.equal(result.status, 'failed');
    assert.equal(result.exitCode, 2);
    assert.equal(result.sshFailure, undefined);
    assert.deepEqual(watched.lines.map((l) => l.text), ['fake docker: unexpected arguments: logs --timestamps -f --tail 5 web-1']);
    assert.equal(watched.system(), '');
  });

});

test('an ssh program that cannot be started ends the stream at once, with the reason', { timeout: 10_000 }, async () => {
  const notes: string[] = [];
  const stream = startLogStream('web-1', followerFor(['tail', '-n', '1', '-F', '/var/log/syslog']), {
    sshBinary: '/nonexistent/ssh',
    onChunk: (chunk) => notes.push(`${chunk.stream}: ${chunk.text}`),
  });
  const result = await stream.done;
  assert.equal(result.status, 'failed');
  assert.deepEqual([result.exitCode, result.signal], [null, null]);
  assert.deepEqual(notes, ['system: Could not start "/nonexistent/ssh": spawn /nonexistent/ssh ENOENT\n']);
});
