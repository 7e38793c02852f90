// `npm test`: provision → lint → typecheck → build → one node test run over the unit and e2e tests,
// so the test runner's summary is the last thing printed. Exits non-zero when any step fails.
// Usage: node scripts/test.mjs [--only unit|e2e]
//   --only unit  quick loop: no lint, typecheck or build; only test/unit
//   --only e2e   quick loop: build, then only test/e2e
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { provision, ROOT } from './provision.mjs';
import { testFiles } from './testFiles.mjs';

/** No single test may run longer than this; the whole run is stopped after RUN_LIMIT_MS. */
const TEST_TIMEOUT_MS = 10 * 60_000;
const RUN_LIMIT_MS = 60 * 60_000;

function parseArgs(argv) {
  const i = argv.indexOf('--only');
  const only = i >= 0 ? argv[i + 1] : undefined;
  if (i >= 0 && only !== 'unit' && only !== 'e2e') {
    process.stderr.write('usage: node scripts/test.mjs [--only unit|e2e]\n');
    process.exit(2);
  }
  return { only };
}

function heading(text) {
  process.stdout.write(`\n━━ ${text}\n`);
}

/** Runs `npm run <script>`; returns true when it succeeded. */
function npmRun(script) {
  heading(`npm run ${script}`);
  const r = spawnSync('npm', ['run', '--silent', script], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.error) process.stderr.write(`npm run ${script} could not start: ${r.error.message}\n`);
  return r.status === 0;
}

async function main() {
  const { only } = parseArgs(process.argv.slice(2));
  const failed = [];

  heading('provision');
  try {
    const tools = provision();
    process.stdout.write(`code-server: ${path.relative(ROOT, tools.codeServerBin)}\nnode 24: ${path.relative(ROOT, tools.node24Bin)}\n`);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    failed.push('provision');
  }

  if (!only) {
    if (!npmRun('lint')) failed.push('lint');
    if (!npmRun('typecheck')) failed.push('typecheck');
  }
  if (only !== 'unit' && !npmRun('build')) failed.push('build');

  const files = [
    ...(only === 'e2e' ? [] : testFiles([path.join(ROOT, 'test', 'unit')])),
    ...(only === 'unit' ? [] : testFiles([path.join(ROOT, 'test', 'e2e')])),
  ].map((f) => path.relative(ROOT, f));
  if (only !== 'unit') rmSync(path.join(ROOT, 'test-results'), { recursive: true, force: true });

  heading(`node --test: ${files.length} files`);
  if (failed.length > 0) {
    process.stdout.write(`Failed before the tests: ${failed.join(', ')} — this run will exit non-zero.\n`);
  }
  if (files.length === 0) {
    process.stdout.write('No test files found.\n');
    process.exitCode = 1;
    return;
  }

  const args = [
    '--import',
    'tsx',
    '--test',
    '--test-reporter=spec',
    '--test-concurrency=1',
    `--test-timeout=${TEST_TIMEOUT_MS}`,
    ...files,
  ];
  // The runner gets a process group of its own so a stop reaches every test file process; those stop
  // what they started (code-server, Chromium) on SIGTERM.
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], detached: true });
  const signalRun = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  let stopping = false;
  const stopRun = (why) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\n${why}: stopping the test run.\n`);
    signalRun('SIGTERM');
  };
  process.on('SIGINT', () => stopRun('Interrupted'));
  process.on('SIGTERM', () => stopRun('Terminated'));
  const limit = setTimeout(() => stopRun(`The test run exceeded ${RUN_LIMIT_MS / 60_000} minutes`), RUN_LIMIT_MS);
  const code = await new Promise((resolve) => child.once('exit', (c, s) => resolve(c ?? (s ? 1 : 0))));
  clearTimeout(limit);
  if (stopping) {
    // Give the test file processes a moment to stop what they started, then end the group.
    const groupAlive = () => {
      try {
        process.kill(-child.pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 80 && groupAlive(); i++) await new Promise((r) => setTimeout(r, 100));
    signalRun('SIGKILL');
  }
  process.exitCode = code !== 0 || failed.length > 0 ? 1 : 0;
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
