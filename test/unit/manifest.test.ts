import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CommandIds, ConfigSection, QuestionLanguage, SequenceTaskType, TaskType, ViewContainerIds, ViewIds } from '../../src/shared/ids';

const root = path.join(__dirname, '../..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const contributes = manifest.contributes;

test('view ids in code and manifest are the same set', () => {
  const declared = Object.values(contributes.views).flat().map((v) => (v as { id: string }).id).sort();
  assert.deepEqual(declared, Object.values(ViewIds).sort());
  assert.deepEqual(Object.keys(contributes.views), [ViewContainerIds.sidebar]);
  assert.equal(contributes.viewsContainers.activitybar[0].id, ViewContainerIds.sidebar);
});

test('command ids in code and manifest are the same set, each with a category and an icon', () => {
  const declared = contributes.commands.map((c: { command: string }) => c.command).sort();
  assert.deepEqual(declared, Object.values(CommandIds).sort());
  for (const c of contributes.commands) {
    assert.equal(c.category, 'VM Orchestrator', c.command);
    assert.match(c.icon ?? '', /^\$\([a-z-]+\)$/, c.command);
  }
});

test('the language of a question shown in an editor is declared, its lines wrapped', () => {
  assert.deepEqual(contributes.languages.map((l: { id: string }) => l.id), [QuestionLanguage]);
  assert.equal(contributes.configurationDefaults[`[${QuestionLanguage}]`]['editor.wordWrap'], 'on');
});

test('every command named in menus and welcome views exists', () => {
  const known = new Set<string>(Object.values(CommandIds));
  for (const [menu, items] of Object.entries(contributes.menus)) {
    for (const item of items as Array<{ command: string }>) assert.ok(known.has(item.command), `${menu}: ${item.command}`);
  }
  for (const w of contributes.viewsWelcome) {
    for (const [, id] of w.contents.matchAll(/\(command:([\w.]+)\)/g)) {
      assert.ok(known.has(id) || id.startsWith('vscode.') || id.startsWith('workbench.'), `${w.view}: ${id}`);
    }
  }
});

// VS Code renders only links and command links in a welcome view: `*x*`, `_x_`, `**` and
// backticks would be shown to the user as they are written.
test('welcome views hold no Markdown that VS Code would show literally', () => {
  for (const w of contributes.viewsWelcome as Array<{ view: string; contents: string }>) {
    // Links keep their text; their targets (command ids, URLs) are not shown.
    const shown = w.contents.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    for (const [pattern, what] of [
      [/`/, 'a backtick'],
      [/\*\*/, '"**"'],
      [/(^|[^\w*])\*[^*\s][^*]*\*(?!\w)/, '*emphasis*'],
      [/(^|[^\w])_[^_\s][^_]*_(?!\w)/, '_emphasis_'],
    ] as const) {
      assert.doesNotMatch(shown, pattern, `${w.view}: ${what} would be shown as written: ${JSON.stringify(w.contents)}`);
    }
  }
});

test('every setting is under the section, described, and the ones naming files are machine-scoped', () => {
  for (const [key, setting] of Object.entries(contributes.configuration.properties) as Array<[string, Record<string, unknown>]>) {
    assert.ok(key.startsWith(`${ConfigSection}.`), key);
    assert.ok(setting.description || setting.markdownDescription, `${key} has a description`);
    if (/Path$|File$|executable|url$/i.test(key)) {
      assert.equal(setting.scope, 'machine', `${key} is machine-scoped`);
      assert.ok(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations.includes(key), `${key} is restricted`);
    }
  }
});

test('the task type is declared; activation is never "*"', () => {
  assert.deepEqual(contributes.taskDefinitions.map((d: { type: string }) => d.type), [TaskType, SequenceTaskType]);
  assert.ok(!(manifest.activationEvents ?? []).includes('*'));
  assert.ok(!(manifest.activationEvents ?? []).includes('onStartupFinished'));
});

// The import boundary of STYLE.md, checked a second time beside the lint rule.
test('only src/extension.ts and src/host import vscode', () => {
  const offenders: string[] = [];
  for (const dir of ['src/core', 'src/server', 'src/shared', 'webview']) {
    for (const file of walk(path.join(root, dir))) {
      if (/from ['"]vscode['"]|require\(['"]vscode['"]\)/.test(readFileSync(file, 'utf8'))) offenders.push(path.relative(root, file));
    }
  }
  assert.deepEqual(offenders, []);
});

function walk(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : /\.(ts|svelte|js)$/.test(name) ? [full] : [];
  });
}
