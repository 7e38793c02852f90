import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import type { Chunk } from '../../../src/shared/jobs';
import { startJob } from '../../../src/core/exec/startJob';
import { collect, lf, node, programs, stopAll, waitFor } from './harness';

after(stopAll);

const TIMEOUT = { timeout: 20_000 };
const transports = [
  { name: 'pty', usePty: true },
  { name: 'pipes', usePty: false },
] as const;

function assertGapless(chunks: Chunk[]): void {
  assert.deepEqual(
    chunks.map((c) => c.seq),
    chunks.map((_, i) => i),
  );
}

for (const { name, usePty } of transports) {
  test(`${name}: the transport asked for is the one used`, TIMEOUT, async () => {
    const env = { ...process.env };
    delete env.TERM;
    delete env.FORCE_COLOR;
    const run = collect({ argv: node('tty.js'), env, usePty });
    assert.equal(run.job.transport, name);
    assert.equal(run.job.ptyError, undefined);
    await run.result;
    assert.equal(lf(run.text()), usePty ? 'isatty=true FORCE_COLOR= TERM=xterm-256color\n' : 'isatty=false FORCE_COLOR=1 TERM=\n');
  });

  test(`${name}: the program leads a session and process group of its own`, TIMEOUT, async () => {
    const run = collect({ argv: node('prompt.js'), usePty });
    // node-pty returns before its child has called setsid: wait until the program runs.
    await waitFor(() => run.text() !== '', 5000, 'the prompt');
    const pid = run.job.pid!;
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const [pgid, sid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ').slice(2, 4).map(Number);
    assert.deepEqual([pgid, sid], [pid, pid]);
    assert.notEqual(sid, Number(readFileSync('/proc/self/stat', 'latin1').split(') ')[1].split(' ')[3]));
    run.job.cancel();
    assert.equal((await run.result).status, 'canceled');
  });

  test(`${name}: 16, 256 and truecolor SGR sequences arrive intact`, TIMEOUT, async () => {
    const run = collect({ argv: node('colors.js'), usePty });
    assert.equal((await run.result).status, 'success');
    assert.equal(lf(run.text()), '\x1b[31mred16\x1b[0m\n\x1b[38;5;208morange256\x1b[0m\n\x1b[38;2;255;100;0mtruecolor\x1b[0m\n');
  });

  test(`${name}: \\r progress is kept and shown before the line ends`, TIMEOUT, async () => {
    const run = collect({ argv: node('progress.js'), usePty });
    await run.result;
    assert.equal(lf(run.text()), '\rprogress 25%\rprogress 50%\rprogress 75%\rprogress 100%\ndone\n');
    assert.ok(run.chunks.some((c) => c.text.includes('progress 100%') && !c.text.includes('done')), 'progress shown before the line ends');
  });

  test(`${name}: 100,000 lines arrive once each, in order, in few chunks with gapless seq`, TIMEOUT, async () => {
    const run = collect({ argv: node('lines.js', '100000'), usePty });
    assert.equal((await run.result).status, 'success');
    assertGapless(run.chunks);
    const lines = lf(run.text()).split('\n');
    assert.equal(lines.pop(), '');
    assert.equal(lines.length, 100_000);
    lines.forEach((line, i) => {
      if (line !== `line ${i}`) assert.fail(`line ${i} is ${JSON.stringify(line)}`);
    });
    assert.ok(run.chunks.length < 1000, `${run.chunks.length} chunks`);
  });

  test(`${name}: output written just before the exit is not lost`, TIMEOUT, async () => {
    for (let run = 0; run < 3; run++) {
      const job = collect({ argv: ['seq', '1', '150000'], usePty });
      await job.result;
      const numbers = lf(job.text()).split('\n');
      assert.equal(numbers.length, 150_001, `run ${run}: ends with ${JSON.stringify(numbers.slice(-2))}`);
      assert.equal(numbers[149_999], '150000');
    }
  });

  test(`${name}: invalid UTF-8 and binary bytes become U+FFFD, never a throw`, TIMEOUT, async () => {
    const run = collect({ argv: node('bytes.js'), usePty });
    assert.equal((await run.result).status, 'success');
    const every = Array.from({ length: 128 }, (_, i) => String.fromCharCode(i)).join('') + '\uFFFD'.repeat(128);
    const expected = 'a\uFFFD\uFFFDb\n' + 'c\uFFFDd\n' + 'e\uFFFD\n' + 'f\uFFFD\uFFFD\uFFFD\n' + every + '\n' + 'g\uFFFD';
    assert.equal(lf(run.text()), lf(expected));
  });

  test(`${name}: a multi-byte character written one byte at a time stays whole`, TIMEOUT, async () => {
    const run = collect({ argv: node('split-utf8.js', '40'), usePty });
    await run.result;
    assert.equal(lf(run.text()), 'é€😀 done\n');
    assert.ok(run.chunks.length > 1, 'partial lines were flushed in between');
    assert.ok(run.chunks.every((c) => !c.text.includes('\uFFFD')));
  });

  for (const code of [0, 1, 42]) {
    test(`${name}: exit code ${code}`, TIMEOUT, async () => {
      const run = collect({ argv: node('exit.js', String(code)), usePty });
      const result = await run.result;
      assert.equal(result.status, code === 0 ? 'success' : 'failed');
      assert.equal(result.exitCode, code);
      assert.equal(result.signal, null);
      assert.ok(result.durationMs >= 0 && result.finishedAt <= Date.now());
      if (usePty) assert.deepEqual(lf(run.text()).split('\n').sort(), ['', 'to stderr', 'to stdout']);
      else assert.deepEqual([run.text('stdout'), run.text('stderr')], ['to stdout\n', 'to stderr\n']);
    });
  }

  test(`${name}: a program killed by a signal fails with that signal`, TIMEOUT, async () => {
    const run = collect({ argv: node('self-signal.js', 'SIGTERM'), usePty });
    const result = await run.result;
    assert.deepEqual([result.status, result.exitCode, result.signal], ['failed', null, 'SIGTERM']);
  });

  test(`${name}: a prompt without a newline is shown while the program waits`, TIMEOUT, async () => {
    const run = collect({ argv: node('prompt.js'), usePty });
    const result = await run.result;
    assert.equal(run.text(), 'Password: ');
    assert.ok(run.arrivals[0] < result.finishedAt - 700, 'prompt shown long before the exit');
  });

  // How soon is bench/runner.ts's to measure; here, that nothing waits for more output or the exit.
  test(`${name}: input reaches the program, and each answer written alone is shown while it waits`, TIMEOUT, async () => {
    const run = collect({ argv: node('echo-input.js'), usePty });
    await waitFor(() => run.text().includes('ready'), 5000, 'ready');
    for (let i = 0; i < 10; i++) {
      run.job.write(`line ${i}\n`);
      await waitFor(() => lf(run.text()).includes(`got: line ${i}\n`), 5000, `the answer to line ${i}`);
    }
    run.job.write('quit\n');
    assert.equal((await run.result).status, 'success');
  });

  test(`${name}: shell syntax in arguments is passed verbatim and runs nothing`, TIMEOUT, async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vmo-inject-'));
    try {
      const marker = path.join(dir, 'marker');
      const payloads = [
        `; touch ${marker}`,
        `$(touch ${marker})`,
        `\`touch ${marker}\``,
        `\ntouch ${marker}\n`,
        `| touch ${marker}`,
        `&& touch ${marker}`,
        `' ; touch ${marker} ; '`,
        `" ; touch ${marker} ; "`,
        `$IFS;touch${'${IFS}'}${marker}`,
      ];
      const run = collect({ argv: ['printf', '%s', ...payloads], usePty });
      assert.equal((await run.result).status, 'success');
      assert.equal(lf(run.text()), payloads.join(''));
      const whole = collect({ argv: [`touch ${marker}`], usePty });
      assert.equal((await whole.result).status, 'failed');
      assert.equal(existsSync(marker), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('pty: a resize reaches the program', TIMEOUT, async () => {
  const run = collect({ argv: node('size.js'), usePty: true, cols: 100, rows: 30 });
  await waitFor(() => run.text().includes('size 100x30'), 5000, 'the first size');
  run.job.resize(120, 40);
  await waitFor(() => run.text().includes('size 120x40'), 5000, 'the new size');
  run.job.cancel();
  await run.result;
});

test('pipes: a program that cannot be started fails with the reason as a system line', TIMEOUT, async () => {
  const run = collect({ argv: ['/nonexistent/program'], usePty: false });
  const result = await run.result;
  assert.equal(run.job.pid, undefined);
  assert.deepEqual([result.status, result.exitCode], ['failed', null]);
  assert.equal(run.chunks.length, 1);
  assert.equal(run.chunks[0].stream, 'system');
  assert.match(run.chunks[0].text, /Could not start "\/nonexistent\/program": .*ENOENT/);
});

test('pty: a program that cannot be started fails with the reason in its output', TIMEOUT, async () => {
  const run = collect({ argv: ['/nonexistent/program'], usePty: true });
  const result = await run.result;
  assert.equal(result.status, 'failed');
  assert.match(run.text(), /execvp\(3\) failed/);
});

test('argv that names no program, or holds NUL, throws before anything runs', () => {
  const options = { onChunk: () => undefined };
  assert.throws(() => startJob({ argv: [], usePty: false }, options), /Expected a program to run, got \[\]/);
  assert.throws(() => startJob({ argv: [''], usePty: false }, options), /Expected a program to run/);
  assert.throws(() => startJob({ argv: ['echo', 'a\0b'], usePty: false }, options), /Expected arguments without NUL bytes, got "a\\u0000b"/);
});

test('without node-pty a pty job runs with pipes and says why', TIMEOUT, async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--require', path.join(programs, 'without-pty.cjs'), '--import', 'tsx', path.join(programs, 'start-job.ts'), ...node('tty.js')],
    { timeout: 15_000 },
  );
  const report = JSON.parse(stdout) as { transport: string; ptyError: string; chunks: Chunk[]; result: { status: string } };
  assert.equal(report.transport, 'pipes');
  assert.match(report.ptyError, /^node-pty could not be loaded: Cannot find module 'node-pty'/);
  assert.match(report.chunks.map((c) => c.text).join(''), /^isatty=false FORCE_COLOR=1 /);
  assert.equal(report.result.status, 'success');
});
