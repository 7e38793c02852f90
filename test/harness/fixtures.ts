// Fixture homes and workspaces: a HOME with an mkcli registry, Makefile projects and an ssh config.
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURES_DIR } from './paths';
import { removeOnExit } from './processes';

/** Makefile projects under test/fixtures/e2e/projects/<name>. */
export const PROJECTS_DIR = path.join(FIXTURES_DIR, 'e2e', 'projects');
/** The template copied into every fixture HOME (its .ssh/config). */
export const HOME_TEMPLATE_DIR = path.join(FIXTURES_DIR, 'home');
/** A workspace folder with vm-config environments. */
export const WORKSPACE_TEMPLATE_DIR = path.join(FIXTURES_DIR, 'e2e', 'workspace');

/** One registry line: `alias` points at a copy of test/fixtures/e2e/projects/<project>. */
export interface RegistryEntry {
  alias: string;
  project: string;
  /** The mkcli version column; default 0.1.0. Null writes a line without it. */
  version?: string | null;
}

/** The three sample projects: web (includes common.mk), infra and docs. */
export const SAMPLE_PROJECTS: RegistryEntry[] = [
  { alias: 'web', project: 'webapp' },
  { alias: 'infra', project: 'infra' },
  { alias: 'docs', project: 'docs-site' },
];

export interface FixtureHomeOptions {
  /** Registry entries; default SAMPLE_PROJECTS. */
  projects?: RegistryEntry[];
  /** Raw lines appended to the registry as they are (comments, broken lines, `alias=path`). */
  extraRegistryLines?: string[];
  /** Copy test/fixtures/home/ (with .ssh/config) into the home. Default true. */
  homeTemplate?: boolean;
}

export interface FixtureHome {
  home: string;
  registryPath: string;
  /** Absolute folder of the project an alias points at. */
  projectDir(alias: string): string;
}

/** Builds a HOME under `home`: .ssh/config, projects copied under ~/src/, and ~/.config/mkcli/registry. */
export function buildFixtureHome(home: string, options: FixtureHomeOptions = {}): FixtureHome {
  mkdirSync(home, { recursive: true });
  if (options.homeTemplate !== false && existsSync(HOME_TEMPLATE_DIR)) {
    cpSync(HOME_TEMPLATE_DIR, home, { recursive: true });
  }
  const sshDir = path.join(home, '.ssh');
  if (existsSync(sshDir)) {
    chmodSync(sshDir, 0o700);
    if (existsSync(path.join(sshDir, 'config'))) chmodSync(path.join(sshDir, 'config'), 0o600);
  }

  const dirs = new Map<string, string>();
  const lines: string[] = [];
  for (const entry of options.projects ?? SAMPLE_PROJECTS) {
    const source = path.join(PROJECTS_DIR, entry.project);
    if (!existsSync(source)) throw new Error(`No fixture project ${entry.project} in ${PROJECTS_DIR}`);
    const dir = path.join(home, 'src', entry.project);
    if (!existsSync(dir)) cpSync(source, dir, { recursive: true });
    dirs.set(entry.alias, dir);
    const version = entry.version === undefined ? '0.1.0' : entry.version;
    lines.push(version === null ? `${entry.alias} ${dir}` : `${entry.alias} ${dir} ${version}`);
  }
  lines.push(...(options.extraRegistryLines ?? []));

  const registryPath = path.join(home, '.config', 'mkcli', 'registry');
  mkdirSync(path.dirname(registryPath), { recursive: true });
  writeFileSync(registryPath, lines.length > 0 ? `${lines.join('\n')}\n` : '');

  return {
    home,
    registryPath,
    projectDir: (alias) => {
      const dir = dirs.get(alias);
      if (!dir) throw new Error(`No alias ${alias} in the fixture registry`);
      return dir;
    },
  };
}

/** Copies the vm-config workspace template (or an empty folder when `template` is false) to `dir`. */
export function buildWorkspace(dir: string, template = true): string {
  mkdirSync(dir, { recursive: true });
  if (template) cpSync(WORKSPACE_TEMPLATE_DIR, dir, { recursive: true });
  return dir;
}

export interface Fixture extends FixtureHome {
  /** The temp folder holding home/ and workspace/. */
  root: string;
  workspace: string;
  cleanup(): void;
}

/** A fresh temp folder with a fixture HOME and a workspace; call cleanup() when done. */
export function createFixture(options: FixtureHomeOptions & { workspaceTemplate?: boolean } = {}): Fixture {
  const root = mkdtempSync(path.join(os.tmpdir(), 'vmo-fixture-'));
  const forget = removeOnExit(root);
  const cleanup = (): void => {
    rmSync(root, { recursive: true, force: true });
    forget();
  };
  try {
    const home = buildFixtureHome(path.join(root, 'home'), options);
    const workspace = buildWorkspace(path.join(root, 'workspace'), options.workspaceTemplate ?? true);
    return { ...home, root, workspace, cleanup };
  } catch (err) {
    cleanup();
    throw err;
  }
}
