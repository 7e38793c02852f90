// Runs the integration suite (test/integration) inside code-server's extension host and returns its results.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Session, saveArtifacts } from './session';
import type { FixtureHomeOptions } from './fixtures';
import { ROOT } from './paths';

export const RUNNER_DIR = path.join(ROOT, 'test', 'integration', 'runner');
export const INTEGRATION_BUNDLE = path.join(ROOT, 'dist', 'test', 'integration.js');

/** One mocha test as the runner extension recorded it. */
export interface IntegrationTestResult {
  /** Full title: suite names and test name. */
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs: number;
  /** Stack or message, for failures. */
  error?: string;
}

export interface IntegrationRun {
  tests: IntegrationTestResult[];
  /** Set when the suite could not run to the end (load error, timeout) — not for ordinary test failures. */
  error?: string;
  /** test-results/<name>/ when something failed. */
  artifactsDir?: string;
}

export interface IntegrationOptions {
  /** Names the artifacts folder. Default "integration". */
  name?: string;
  /** How long the whole suite may take once the workbench is up. Default 120 s. */
  timeoutMs?: number;
  /** Only tests whose full title matches (a mocha grep). */
  grep?: string;
  fixture?: FixtureHomeOptions & { workspaceTemplate?: boolean };
  settings?: Record<string, unknown>;
  workspaceTrust?: boolean;
  env?: Record<string, string>;
  /** Install this .vsix instead of the built folder; the suite then comes from dist/test/integration.js. */
  vsix?: string;
}

interface RunnerFile {
  tests?: IntegrationTestResult[];
  error?: string;
}

/**
 * Starts code-server with our extension and the runner extension, opens the workbench (code-server
 * starts the extension host only when a window connects), waits for the runner's results and stops everything.
 */
export async function runIntegrationSuite(options: IntegrationOptions = {}): Promise<IntegrationRun> {
  const name = options.name ?? 'integration';
  if (!existsSync(INTEGRATION_BUNDLE)) {
    throw new Error(`${path.relative(ROOT, INTEGRATION_BUNDLE)} is missing: run \`npm run build\` first`);
  }
  const session = await Session.start({
    name,
    extraExtensions: [RUNNER_DIR],
    ...(options.fixture ? { fixture: options.fixture } : {}),
    ...(options.settings ? { settings: options.settings } : {}),
    ...(options.workspaceTrust !== undefined ? { workspaceTrust: options.workspaceTrust } : {}),
    ...(options.vsix ? { vsix: options.vsix } : {}),
    envFor: (fixture) => ({
      VMO_INTEGRATION_RESULTS: path.join(fixture.root, 'integration-results.json'),
      VMO_NODE_MODULES: path.join(ROOT, 'node_modules'),
      // A folder copy of the extension carries dist/test/; a .vsix does not, so use the repository's bundle.
      ...(options.vsix ? { VMO_INTEGRATION_BUNDLE: INTEGRATION_BUNDLE } : {}),
      ...(options.grep ? { VMO_INTEGRATION_GREP: options.grep } : {}),
      VMO_EXPECT_HOME: fixture.home,
      VMO_EXPECT_PASSTHROUGH: 'passed-through',
      ...options.env,
    }),
  });
  const resultsFile = path.join(session.fixture.root, 'integration-results.json');
  try {
    const deadline = Date.now() + (options.timeoutMs ?? 120_000);
    let exited = false;
    void session.server.process.exited.then(() => (exited = true));
    let run: IntegrationRun | undefined;
    while (!run) {
      if (existsSync(resultsFile)) {
        const parsed = JSON.parse(readFileSync(resultsFile, 'utf8')) as RunnerFile;
        run = { tests: parsed.tests ?? [] };
        const failed = run.tests.some((t) => t.state === 'failed');
        // run() rejects when tests fail; that is not a suite error.
        if (parsed.error && !failed) run.error = parsed.error;
        if (run.tests.length === 0 && !run.error) run.error = 'The integration suite ran no tests';
      } else if (exited) {
        run = { tests: [], error: 'code-server exited before the integration suite finished' };
      } else if (Date.now() > deadline) {
        run = { tests: [], error: `No integration results after ${Math.round((options.timeoutMs ?? 120_000) / 1000)} s` };
      } else {
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    if (run.error || run.tests.some((t) => t.state === 'failed')) {
      run.artifactsDir = await saveArtifacts(name, session.server, session.workbench);
    }
    return run;
  } finally {
    await session.close();
  }
}
