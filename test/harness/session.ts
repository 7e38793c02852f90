// One e2e session: a fixture home, code-server with our extension, and Chromium showing the workbench.
// Start one per test file and wrap each test in step() so a failure leaves its evidence in test-results/.
import { copyFileSync, cpSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Workbench, type WorkbenchOptions } from './browser';
import { startCodeServer, type CodeServer, type CodeServerOptions } from './codeServer';
import { createFixture, type Fixture, type FixtureHomeOptions } from './fixtures';
import { resultsDirFor } from './paths';

export interface SessionOptions extends Omit<CodeServerOptions, 'workspace' | 'home'> {
  /** Names the artifacts folder when starting fails. */
  name: string;
  /** How the fixture home and workspace are built. */
  fixture?: FixtureHomeOptions & { workspaceTemplate?: boolean };
  /** The environment can depend on the fixture (e.g. its paths). */
  envFor?: (fixture: Fixture) => Record<string, string>;
  viewport?: WorkbenchOptions['viewport'];
}

/** Copies what explains a failure into test-results/<name>/; returns the folder. */
export async function saveArtifacts(name: string, server?: CodeServer, workbench?: Workbench): Promise<string> {
  const dir = resultsDirFor(name);
  if (workbench) {
    await workbench.screenshot(path.join(dir, 'screenshot.png')).catch((err: unknown) => {
      writeFileSync(path.join(dir, 'screenshot-error.txt'), String(err));
    });
    writeFileSync(path.join(dir, 'browser-console.log'), workbench.consoleErrors.join('\n'));
  }
  if (server) {
    writeFileSync(path.join(dir, 'code-server.log'), server.output());
    const [newest] = server.extensionHostLogs();
    if (newest) copyFileSync(newest, path.join(dir, 'remoteexthost.log'));
    // Every log of the session, including our extension's own output channel.
    const logs = path.join(server.userDataDir, 'logs');
    if (existsSync(logs)) cpSync(logs, path.join(dir, 'logs'), { recursive: true });
  }
  return dir;
}

/**
 * Runs one test body; on failure saves what explains it (screenshot, logs, and whatever `extra`
 * writes) under test-results/<name>/, names that folder in the error, and rethrows.
 */
export async function withArtifacts<T>(
  name: string,
  parts: { server?: CodeServer; workbench?: Workbench } | undefined,
  body: () => Promise<T>,
  extra?: (dir: string) => void,
): Promise<T> {
  try {
    return await body();
  } catch (err) {
    const dir = await saveArtifacts(name, parts?.server, parts?.workbench).catch(() => undefined);
    if (dir) extra?.(dir);
    if (dir && err instanceof Error) err.message += `\n(artifacts in ${dir})`;
    throw err;
  }
}

export class Session {
  private constructor(
    readonly fixture: Fixture,
    readonly server: CodeServer,
    readonly workbench: Workbench,
  ) {}

  /** Builds the fixture, starts code-server and opens the workbench; cleans up whatever started if one fails. */
  static async start(options: SessionOptions): Promise<Session> {
    const { name, fixture: fixtureOptions, envFor, viewport, ...serverOptions } = options;
    const fixture = createFixture(fixtureOptions);
    let server: CodeServer | undefined;
    let workbench: Workbench | undefined;
    try {
      server = await startCodeServer({
        ...serverOptions,
        workspace: fixture.workspace,
        home: fixture.home,
        env: { ...serverOptions.env, ...envFor?.(fixture) },
      });
      workbench = await Workbench.open(server.url, viewport ? { viewport } : {});
      return new Session(fixture, server, workbench);
    } catch (err) {
      const dir = await saveArtifacts(`${name}-start`, server, workbench).catch(() => undefined);
      await workbench?.close();
      await server?.stop();
      fixture.cleanup();
      throw new Error(`Could not start the e2e session${dir ? ` (artifacts in ${dir})` : ''}: ${String(err)}`, {
        cause: err,
      });
    }
  }

  /** Runs one test body; on failure saves screenshot and logs under test-results/<name>/ and rethrows. */
  step<T>(name: string, body: () => Promise<T>): Promise<T> {
    return withArtifacts(name, this, body);
  }

  /** Closes the browser, stops code-server and removes the fixture. Safe to call twice. */
  async close(): Promise<void> {
    await this.workbench.close();
    await this.server.stop();
    this.fixture.cleanup();
  }
}
