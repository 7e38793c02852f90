import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { ConfigSection } from '../shared/ids';
import { userRegistryPath, expandHome } from '../core/mkcli/registry';
import { isPostgresUrl } from '../core/store/databaseUrl';
import { TARGET_SOURCES, type TargetSource } from '../core/mkcli/targets';
import { sshHome } from '../core/ssh/sshHome';

// Reads the settings; every setting that names a file or a program is machine-scoped in the
// manifest, so a workspace cannot point them elsewhere.
export function settings() {
  const c = vscode.workspace.getConfiguration(ConfigSection);
  const home = os.homedir();
  const sshHomeDir = sshHome(home);
  const team = c.get<string>('mkcli.teamRegistryPath', '');
  return {
    home,
    registryFile: userRegistryPath({ setting: c.get<string>('mkcli.registryPath', ''), env: process.env, home }),
    teamRegistryFile: team ? expandHome(team, home) : undefined,
    listTimeoutMs: 1000 * c.get<number>('mkcli.listTimeoutSeconds', 10),
    discoveryConcurrency: c.get<number>('mkcli.discoveryConcurrency', 8),
    /** How targets are listed: by reading the makefiles (nothing runs), make's database, or the alias. */
    targetSource: targetSource(c.get<string>('mkcli.targetSource', 'static')) ?? 'static',
    /** Per-alias choices of the above; an unknown value is ignored. */
    targetSourceByAlias: targetSourceMap(c.get<Record<string, string>>('mkcli.targetSourceByAlias', {})),
    environmentGlobs: c.get<string[]>('vmConfig.extraGlobs', []).map((g) => expandHome(g, home)),
    /** Where ssh finds `~` (see sshHome): the default config, and `~` and relative Includes in any config. */
    sshHome: sshHomeDir,
    sshConfigFile: expandHome(c.get<string>('ssh.configFile', '') || path.join(sshHomeDir, '.ssh', 'config'), home),
    /** True when the user named a config file: it is then passed to ssh with -F. */
    sshConfigIsCustom: c.get<string>('ssh.configFile', '') !== '',
    sshExecutable: c.get<string>('ssh.executable', 'ssh') || 'ssh',
    logPresets: c.get<unknown[]>('logs.presets', []),
    acceptNewHostKeys: c.get<boolean>('ssh.acceptNewHostKeys', false),
    interactiveTargets: c.get<string[]>('run.interactiveTargets', []),
    clickAction: c.get<'run' | 'open'>('run.clickAction', 'run'),
    cancelGraceMs: 1000 * c.get<number>('run.cancelGraceSeconds', 5),
    perVmConcurrency: c.get<number>('run.perVmConcurrency', 1),
    environmentConcurrency: c.get<number>('run.environmentConcurrency', 4),
    reuseConsoleTab: c.get<boolean>('console.reuseTab', false),
    consoleMaxLines: c.get<number>('console.maxLines', 100_000),
    notifyOnJobEnd: c.get<'failures' | 'all' | 'none'>('notifications.jobEnd', 'failures'),
    /** What Compare with Previous Run masks in both outputs (the manifest's default is DEFAULT_MASKS). */
    compareMasks: c.get<unknown[]>('compare.masks', []),
    /** Whether an operator may start targets in this window through the hub (`jobs:run`). */
    hubAcceptRuns: c.get<boolean>('hub.acceptRuns', false),
    /** A shared hub's URL (team mode); empty: the user's own hub. */
    hubUrl: c.get<string>('hub.url', '').trim(),
    /** The own hub's `--database`; undefined: its default (PGlite in the extension's storage). */
    hubDatabase: hubDatabase(c.get<string>('hub.database', '').trim(), home),
    retentionDays: c.get<number>('history.retentionDays', 30),
    retentionJobs: c.get<number>('history.maxJobs', 10_000),
    /** Where this window's own hub posts ended jobs (`--webhook`), and which (`--webhook-on`). */
    webhooks: c.get<string[]>('hub.webhooks', []).filter((u) => typeof u === 'string' && u.trim() !== ''),
    webhookOn: c.get<'failed' | 'all'>('hub.webhookOn', 'failed') === 'all' ? ('all' as const) : ('failed' as const),
    jobsViewLimit: c.get<number>('jobs.viewLimit', 50),
  };
}

export type Settings = ReturnType<typeof settings>;

function targetSource(value: unknown): TargetSource | undefined {
  return TARGET_SOURCES.find((s) => s === value);
}

function targetSourceMap(value: unknown): Record<string, TargetSource> {
  const map: Record<string, TargetSource> = {};
  if (typeof value !== 'object' || value === null) return map;
  for (const [alias, source] of Object.entries(value)) {
    const known = targetSource(source);
    if (known) map[alias] = known;
  }
  return map;
}

// The source that lists `alias`'s targets. In Restricted Mode only the makefile text is read:
// make's database and `--list-targets` run code from the project.
export function targetSourceFor(s: Settings, alias: string, trusted: boolean): TargetSource {
  if (!trusted) return 'static';
  return s.targetSourceByAlias[alias] ?? s.targetSource;
}

/** A postgres:// URL as it is; a folder with `~` expanded; empty: undefined. */
function hubDatabase(value: string, home: string): string | undefined {
  if (!value) return undefined;
  return isPostgresUrl(value) ? value : expandHome(value, home);
}

/** How ssh is run: which client, which config (only when the user named one), host keys. */
export function sshOptions(s: Settings): { sshBinary: string; configFile?: string; acceptNewHostKey: boolean } {
  return { sshBinary: s.sshExecutable, ...(s.sshConfigIsCustom ? { configFile: s.sshConfigFile } : {}), acceptNewHostKey: s.acceptNewHostKeys };
}

/** Fires when a setting of this extension under `section` changes. */
export function onSettingsChanged(section: string, listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(`${ConfigSection}.${section}`)) listener();
  });
}
