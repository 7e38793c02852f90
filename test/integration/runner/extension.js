// Runs the bundled integration suite (dist/test/integration.js) in this extension host and writes
// one JSON file with every test's outcome, for test/harness/integration.ts to read.
// Environment: VMO_INTEGRATION_RESULTS (output file; nothing runs without it),
// VMO_INTEGRATION_BUNDLE (the bundle; default: dist/test/integration.js inside the installed
// vm-orchestrator, so its `vscode` import is that extension's API), VMO_NODE_MODULES (where mocha is),
// VMO_INTEGRATION_GREP (only tests whose title matches).
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS extension loaded without a build step */
const fs = require('fs');
const path = require('path');

function activate() {
  const out = process.env.VMO_INTEGRATION_RESULTS;
  if (!out) return;
  // Do not hold up this extension's activation; the suite runs on its own.
  setTimeout(() => {
    runSuite(out).catch((err) => console.error('[integration-runner]', err));
  }, 0);
}

function describeError(err) {
  if (!err) return undefined;
  if (err instanceof Error) return err.stack || `${err.name}: ${err.message}`;
  return String(err);
}

/** A mocha reporter that records each test; hook failures are recorded as failed entries too. */
function recorder(tests) {
  return class Recorder {
    constructor(runner) {
      const record = (test, state, err) => {
        const entry = {
          title: test.fullTitle(),
          file: test.file,
          state,
          durationMs: typeof test.duration === 'number' ? test.duration : 0,
        };
        if (err) entry.error = describeError(err);
        tests.push(entry);
        console.log(`[integration-runner] ${state} ${entry.title}${err ? `: ${err.message}` : ''}`);
      };
      runner.on('pass', (test) => record(test, 'passed'));
      runner.on('fail', (test, err) => record(test, 'failed', err));
      runner.on('pending', (test) => record(test, 'pending'));
    }
  };
}

function installedBundle() {
  const vscode = require('vscode');
  const ext = vscode.extensions.getExtension('vm-orchestrator.vm-orchestrator');
  if (!ext) throw new Error('vm-orchestrator.vm-orchestrator is not installed and VMO_INTEGRATION_BUNDLE is not set');
  return path.join(ext.extensionPath, 'dist', 'test', 'integration.js');
}

async function runSuite(out) {
  const started = Date.now();
  const tests = [];
  let error;
  try {
    const bundle = process.env.VMO_INTEGRATION_BUNDLE || installedBundle();
    const suite = require(bundle);
    await suite.run({ reporter: recorder(tests), grep: process.env.VMO_INTEGRATION_GREP || undefined });
  } catch (err) {
    error = describeError(err);
  }
  const result = { tests, error, durationMs: Date.now() - started, finishedAt: new Date().toISOString() };
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(result, null, 2));
  fs.renameSync(tmp, out);
}

function deactivate() {}

module.exports = { activate, deactivate };
