// Entry of the integration suite, run inside a real extension host: by test/integration/runner under
// code-server here, or as `extensionTestsPath` by @vscode/test-electron on machines with network.
// esbuild bundles it into dist/test/integration.js with mocha left external.
import { createRequire } from 'node:module';
import path from 'node:path';
import type MochaType from 'mocha';

export interface RunOptions {
  /** A mocha reporter name or class; default 'spec' (its output goes to the extension host log). */
  reporter?: string | MochaType.ReporterConstructor;
  reporterOptions?: Record<string, unknown>;
  /** Per-test timeout in milliseconds; default 20 s. */
  timeout?: number;
  /** Only tests whose full title matches. */
  grep?: string;
}

/** The suites, imported lazily so each registers its tests after mocha has set up the TDD globals. */
const SUITES: ReadonlyArray<readonly [string, () => Promise<unknown>]> = [
  ['activation.test.ts', () => import('./suites/activation.test.js')],
  ['discovery.test.ts', () => import('./suites/discovery.test.js')],
  ['running.test.ts', () => import('./suites/running.test.js')],
  ['restricted.test.ts', () => import('./suites/restricted.test.js')],
];

/**
 * mocha is not bundled. The bundle finds it from its own location (dist/test/ → ../../node_modules) or,
 * when the bundle runs from a copy elsewhere, from the node_modules folder named by VMO_NODE_MODULES.
 */
function loadMocha(): typeof MochaType {
  const bases = [
    process.env.VMO_NODE_MODULES ? path.join(process.env.VMO_NODE_MODULES, '..', 'noop.js') : undefined,
    __filename,
    path.join(__dirname, '..', '..', 'noop.js'),
  ].filter((b): b is string => b !== undefined);
  const errors: string[] = [];
  for (const base of bases) {
    try {
      return createRequire(base)('mocha') as typeof MochaType;
    } catch (err) {
      errors.push(`${base}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
  }
  throw new Error(`Cannot load mocha (set VMO_NODE_MODULES to the project's node_modules):\n${errors.join('\n')}`);
}

/** Runs every suite; rejects when a test fails, as @vscode/test-electron expects. */
export async function run(options?: RunOptions): Promise<void> {
  // Older test-electron versions call run(testsRoot, callback): ignore anything that is not options.
  const opts: RunOptions = options && typeof options === 'object' ? options : {};
  const Mocha = loadMocha();
  const mocha = new Mocha({
    ui: 'tdd',
    color: false,
    timeout: opts.timeout ?? 20_000,
    ...(opts.grep ? { grep: opts.grep } : {}),
  });
  mocha.reporter(opts.reporter ?? 'spec', opts.reporterOptions);

  for (const [file, load] of SUITES) {
    mocha.suite.emit('pre-require', globalThis, file, mocha);
    await load();
    mocha.suite.emit('post-require', globalThis, file, mocha);
  }

  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} integration test${failures === 1 ? '' : 's'} failed`);
}
