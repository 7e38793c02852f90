// The hub process: `node dist/server.js --help`. Prints `listening http://<host>:<port>` as its
// first stdout line once it serves; everything else goes to stderr.
import { setTimeout as sleep } from 'node:timers/promises';
import v8 from 'node:v8';
import { parseArgs, USAGE } from './args';
import { isPostgresUrl } from '../core/store/databaseUrl';
import { openStore } from './database';
import { startHub, type Hub } from './hub';
import { fullCollection } from '../core/util/idleCollection';
import { loadOrCreateTokens } from './tokens';

// PGlite is PostgreSQL compiled to WASM. V8 compiles its hot functions a second time with its
// optimizing tier, and the hub kept about 45 MB more for it (PGlite alone, idle: 122 MB of RSS
// with baseline code only, 163–182 MB without), for no gain in the hub's work: batches of inserts
// ran as fast or faster, reads of pages of output about 10% slower.
v8.setFlagsFromString('--liftoff-only');

/** How long a stopping hub waits for its store to close. */
const STORE_CLOSE_MS = 10_000;

const log = (message: string): void => {
  process.stderr.write(`[hub] ${message}\n`);
};

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    log((err as Error).message);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (args.createPglite) {
    const { createPglite } = await import('../core/store/pglite.js');
    await createPglite(args.createPglite);
    return 0;
  }
  const { entries, created } = loadOrCreateTokens(args.tokenFile);
  if (created) log(`Created the token file ${args.tokenFile}`);
  let hub: Hub | undefined;
  let stopping: Promise<void> | undefined;
  function stop(why: string, failed = 0): Promise<void> {
    stopping ??= (async () => {
      log(`Stopping (${why})`);
      let code = failed;
      try {
        await hub?.close();
      } catch (err) {
        log(`While stopping: ${(err as Error).message}`);
        code = 1;
      }
      // A store that cannot close (PGlite spinning after its folder went read-only) must not keep
      // the hub from exiting: whoever stopped it would wait for good, and a window could not
      // start another.
      const closed = await Promise.race([store.close().then(() => true), sleep(STORE_CLOSE_MS).then(() => false)]);
      if (!closed) log(`The job store did not close within ${STORE_CLOSE_MS / 1000} s; exiting without it`);
      process.exit(closed ? code : 1);
    })();
    return stopping;
  }
  // A hub whose database is gone stores nothing more: it exits, and the window that started it
  // starts it again, to which the reporters send again what this one had not stored. (Lost while
  // it opens, the store fails to open.)
  let opened = false;
  const store = await openStore(args.database, log, (err) => {
    if (opened) void stop(`the job store is lost: ${err.message}`, 1);
  });
  opened = true;
  try {
    hub = await startHub({
      store,
      tokens: entries,
      host: args.host,
      port: args.port,
      preferPort: args.preferPort,
      graceMs: args.graceSeconds * 1000,
      // Hubs on one PostgreSQL database share live events; a PGlite folder has one hub.
      cluster: isPostgresUrl(args.database) ? args.database : undefined,
      retention: args.retention,
      rateLimits: args.rateLimits,
      webhooks: args.webhooks,
      log,
      collectGarbage: fullCollection(),
      idle: args.idleExitSeconds === undefined ? undefined : { ms: args.idleExitSeconds * 1000, onIdle: () => void stop('idle') },
    });
  } catch (err) {
    await store.close();
    throw err;
  }
  // The handlers come before the line: whoever started the hub may stop it as soon as it reads
  // the line, and a SIGTERM before them would kill it without closing the store.
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  process.stdout.write(`listening ${hub.url}\n`);
  return -1;
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    log(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
