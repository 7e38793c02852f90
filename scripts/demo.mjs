// `npm run demo`: builds the extension and serves it in code-server on 127.0.0.1 with a sample setup —
// a HOME whose mkcli registry lists three Makefile projects, and a workspace with two vm-config
// environments — all under .demo/, so nothing of yours is read or changed. Runs until Ctrl+C.
// Usage: node scripts/demo.mjs [--port N] [--fresh]
//   --port N   port on 127.0.0.1 (also env PORT); default 8080, or a free port when 8080 is taken
//   --fresh    rebuild .demo/ from the samples (otherwise your edits to it are kept)
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { provision, ROOT } from './provision.mjs';

const DEMO_DIR = path.join(ROOT, '.demo');
const DEFAULT_PORT = 8080;

function parseArgs(argv) {
  const options = { port: undefined, fresh: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--fresh') options.fresh = true;
    else if (arg === '--port' || arg.startsWith('--port=')) {
      const value = arg.includes('=') ? arg.slice('--port='.length) : argv[++i];
      options.port = Number(value);
    } else {
      throw new Error(`Unknown argument ${arg}. Usage: node scripts/demo.mjs [--port N] [--fresh]`);
    }
  }
  if (options.port === undefined && process.env.PORT) options.port = Number(process.env.PORT);
  if (options.port !== undefined && !(Number.isInteger(options.port) && options.port > 0 && options.port < 65536)) {
    throw new Error(`Expected a port number between 1 and 65535, got "${options.port}"`);
  }
  return options;
}

/** True when nothing listens on 127.0.0.1:port. */
function portIsFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function step(text) {
  process.stdout.write(`demo: ${text}\n`);
}

async function main() {
  const options = parseArgs(process.argv.slice(2));

  step('building the extension');
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (build.status !== 0) throw new Error('npm run build failed');

  step('checking tools');
  provision();

  const harness = (file) => tsImport(path.join(ROOT, 'test', 'harness', file), import.meta.url);
  const { buildFixtureHome, buildWorkspace, SAMPLE_PROJECTS } = await harness('fixtures.ts');
  const { startCodeServer, freePort } = await harness('codeServer.ts');

  if (options.fresh) rmSync(DEMO_DIR, { recursive: true, force: true });
  const homeDir = path.join(DEMO_DIR, 'home');
  const workspace = path.join(DEMO_DIR, 'workspace');
  // Existing project folders and environment files are kept; the registry is rewritten.
  const home = buildFixtureHome(homeDir, { projects: SAMPLE_PROJECTS });
  if (!existsSync(workspace)) buildWorkspace(workspace);

  let port = options.port;
  if (port === undefined) port = (await portIsFree(DEFAULT_PORT)) ? DEFAULT_PORT : await freePort();
  else if (!(await portIsFree(port))) throw new Error(`127.0.0.1:${port} is already in use; pick another with --port`);

  step(`starting code-server on 127.0.0.1:${port}`);
  const server = await startCodeServer({
    workspace,
    home: home.home,
    port,
    stateDir: path.join(DEMO_DIR, 'state'),
    settings: { 'workbench.colorTheme': 'Default Dark Modern' },
  });

  // The harness does not let code-server keep a process alive; the demo stays up until a signal.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  let stopping = false;
  const stop = async (why) => {
    if (stopping) return;
    stopping = true;
    clearInterval(keepAlive);
    step(`${why}: stopping code-server`);
    await server.stop();
    step('stopped');
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void stop(signal));
  void server.process.exited.then((code) => {
    if (stopping) return;
    process.stderr.write(`demo: code-server exited (${code})\n${server.output().slice(-4000)}\n`);
    process.exit(1);
  });

  process.stdout.write(
    [
      '',
      `  VM Orchestrator demo: ${server.url}`,
      '',
      `  HOME       ${path.relative(ROOT, home.home)}  (mkcli registry: ${path.relative(ROOT, home.registryPath)})`,
      `  projects   ${SAMPLE_PROJECTS.map((p) => `${p.alias} → ${path.relative(ROOT, home.projectDir(p.alias))}`).join(', ')}`,
      `  workspace  ${path.relative(ROOT, workspace)}  (environments/staging, environments/production)`,
      `  logs       ${path.relative(ROOT, path.join(server.userDataDir, 'logs'))}`,
      '',
      '  Open the URL in a browser, then the VM Orchestrator icon in the activity bar. Ctrl+C stops.',
      '',
    ].join('\n'),
  );
}

main().catch((err) => {
  process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
