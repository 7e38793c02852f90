// The real workbench for the benches that need it: code-server in Chromium, with one project
// registered with mkcli and its targets open in the VM Orchestrator side bar.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Workbench } from '../test/harness/browser';
import { startCodeServer, type CodeServer } from '../test/harness/codeServer';

export interface BenchProject {
  /** Its alias in the registry, and its label in the Projects view. */
  alias: string;
  /** Fills the project's folder (a Makefile at least). */
  fill(dir: string): void;
  /** Environment of the editor and of what it runs. */
  env?: Record<string, string>;
}

/**
 * Runs `body` with the workbench showing `project`'s targets (in folder `dir`), once the hub has
 * started; everything is stopped and removed after.
 */
export async function withWorkbench<T>(name: string, project: BenchProject, body: (workbench: Workbench, dir: string) => Promise<T>): Promise<T> {
  const root = mkdtempSync(path.join(os.tmpdir(), `vmo-bench-${name}-`));
  const home = path.join(root, 'home');
  const workspace = path.join(root, 'workspace');
  const dir = path.join(home, 'src', project.alias);
  mkdirSync(dir, { recursive: true });
  project.fill(dir);
  mkdirSync(path.join(home, '.config', 'mkcli'), { recursive: true });
  writeFileSync(path.join(home, '.config', 'mkcli', 'registry'), `${project.alias} ${dir} 0.1.0\n`);
  mkdirSync(workspace, { recursive: true });
  let server: CodeServer | undefined;
  let workbench: Workbench | undefined;
  try {
    server = await startCodeServer({ workspace, home, env: project.env, settings: { 'workbench.colorTheme': 'Default Dark Modern' } });
    workbench = await Workbench.open(server.url, { viewport: { width: 1400, height: 900 } });
    await workbench.openViewContainer('VM Orchestrator', 60_000);
    await workbench.expandTreeItem('Projects', project.alias);
    // The hub starts and the views fill in the first seconds.
    await sleep(12_000);
    return await body(workbench, dir);
  } finally {
    await workbench?.close();
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
