// Builds the three outputs: the extension host bundle, the hub bundle and the Svelte webview apps.
// Usage: node esbuild.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import sveltePlugin from 'esbuild-svelte';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

// A production build starts from an empty dist/, so nothing stale (source maps, test bundles) is packaged.
if (production) rmSync('dist', { recursive: true, force: true });

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  logLevel: 'info',
  legalComments: production ? 'none' : 'inline',
};

const nodeCommon = {
  ...common,
  platform: 'node',
  format: 'cjs',
  // The extension host of VS Code 1.90 runs Node 20.
  target: 'node20',
  // Native modules are shipped beside the bundle, never inlined.
  external: ['vscode', 'node-pty', 'bufferutil'],
  // jsonc-parser's main build is UMD, whose require() of its own files a bundle cannot resolve.
  alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
};

/** Every folder under webview/ with a main.ts is an app, except the shared lib. */
function webviewApps() {
  if (!existsSync('webview')) return [];
  return readdirSync('webview', { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'lib' && existsSync(path.join('webview', d.name, 'main.ts')))
    .map((d) => d.name);
}

const builds = [
  // The extension, the thread its hub reporter runs on (src/core/hub/reporterThread.ts) and the
  // thread that reads makefiles (src/core/mkcli/staticThread.ts).
  {
    ...nodeCommon,
    entryPoints: { extension: 'src/extension.ts', reporterWorker: 'src/core/hub/reporterWorker.ts', staticWorker: 'src/core/mkcli/staticWorker.ts' },
    outdir: 'dist',
  },
];
if (existsSync('src/server/main.ts')) {
  builds.push({
    ...nodeCommon,
    // The hub, and the thread it runs PGlite on (src/core/store/pgliteThread.ts).
    entryPoints: { server: 'src/server/main.ts', pgliteWorker: 'src/core/store/pgliteWorker.ts' },
    outdir: 'dist',
    external: [...nodeCommon.external, '@electric-sql/pglite', '@electric-sql/pglite/*'],
  });
}
const apps = webviewApps();
if (apps.length > 0) {
  builds.push({
    ...common,
    entryPoints: Object.fromEntries(apps.map((a) => [a, `webview/${a}/main.ts`])),
    outdir: 'dist/webview',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    mainFields: ['svelte', 'browser', 'module', 'main'],
    conditions: ['svelte', 'browser'],
    plugins: [sveltePlugin({ compilerOptions: { css: 'external', dev: !production } })],
  });
}
// The integration suite runs inside the extension host, so it is bundled like the extension.
if (!production && existsSync('test/integration/index.ts')) {
  builds.push({
    ...nodeCommon,
    entryPoints: ['test/integration/index.ts'],
    outfile: 'dist/test/integration.js',
    external: [...nodeCommon.external, 'mocha'],
  });
}

// The codicon font that <vscode-icon> draws with, loaded by each webview page as a stylesheet.
if (apps.length > 0) {
  mkdirSync('dist/webview', { recursive: true });
  for (const file of ['codicon.css', 'codicon.ttf']) {
    copyFileSync(path.join('node_modules/@vscode/codicons/dist', file), path.join('dist/webview', file));
  }
}

// Packages that cannot be bundled are shipped beside the bundles (dist/node_modules), where
// require() in dist/*.js finds them: node-pty is native (its JavaScript and the binary built for
// this machine), PGlite loads its WASM and data files from its own folder.
function ship(name, keep) {
  const from = path.join('node_modules', name);
  const to = path.join('dist/node_modules', name);
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, { recursive: true, filter: (f) => f === from || keep(path.relative(from, f)) });
}
ship('node-pty', (f) => f === 'package.json' || ((f === 'lib' || f.startsWith('lib/')) && !/\.test\.js$|\.map$/.test(f)) || /^build(\/Release(\/(pty\.node|spawn-helper))?)?$/.test(f));
// ws masks and unmasks every frame with bufferutil when it can load it (else in JavaScript, about
// 1.6 ms a MB): its prebuilt binaries, found by node-gyp-build.
ship('bufferutil', (f) => ['package.json', 'index.js', 'fallback.js'].includes(f) || f === 'prebuilds' || f.startsWith('prebuilds/'));
ship('node-gyp-build', (f) => ['package.json', 'index.js', 'node-gyp-build.js'].includes(f));
// Of PGlite's extensions only pg_trgm is used (the job search index).
ship('@electric-sql/pglite', (f) => !/\.map$|\.d\.c?ts$|\.md$/.test(f) && (!f.endsWith('.tar.gz') || f.endsWith('pg_trgm.tar.gz')));

if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
