import os from 'node:os';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BatchWriter } from '../core/store/batchWriter';
import { IdleCollection } from '../core/util/idleCollection';
import type { JobStore, PruneOptions } from '../core/store/jobStore';
import { messageOf } from '../shared/errors';
import { LoginThrottle, RequestGuard, TokenChecker } from './auth';
import { askOwner, PEER_CANCEL_TIMEOUT_MS } from './cancel';
import { openCluster } from './cluster';
import { httpHandler } from './http';
import { FairTurns } from './fairTurns';
import { attachIo } from './io';
import { LiveJobs } from './liveJobs';
import { listen } from './listen';
import { Peers } from './peers';
import { DEFAULT_RATE_LIMITS, RateLimits, type RateLimitOptions } from './rateLimits';
import { startRetention } from './retention';
import { startSweep } from './sweep';
import { Webhooks, type WebhookOn } from './webhooks';
import type { TokenEntry } from './tokens';

/** What a hub needs; the store is opened (and migrated) and closed by the caller. */
export interface HubOptions {
  store: JobStore;
  tokens: readonly TokenEntry[];
  host: string;
  port: number;
  /** Listen on this port when it is free; when another program has it, on `port`. */
  preferPort?: number;
  /** A job whose reporter went away, or left running by an earlier hub, is interrupted after this. */
  graceMs: number;
  /** Finished jobs to delete, at start and then hourly (`everyMs`); default: keep everything. */
  retention?: PruneOptions & { everyMs?: number };
  /** Called once the hub has had no clients and no running jobs for this long. */
  idle?: { ms: number; onIdle: () => void };
  /** Default: console.error. */
  log?: (message: string) => void;
  /** Default: 250 ms doubled per failure, at most 5 s. */
  throttle?: LoginThrottle;
  /**
   * A postgres:// URL (the store's database): live events are shared with every hub started with
   * the same one, so a client of any hub sees the jobs reported to all. Default: this hub alone.
   */
  cluster?: string;
  /** How much one client may send; default DEFAULT_RATE_LIMITS. */
  rateLimits?: RateLimitOptions;
  /** Web hooks told of ended jobs; default none. */
  webhooks?: { urls: readonly string[]; on: WebhookOn; retryDelaysMs?: readonly number[] };
  /** A full garbage collection, made once writes have stopped (IdleCollection); default none. */
  collectGarbage?: () => void;
}

export interface Hub {
  /** `http://<host>:<port>`. */
  readonly url: string;
  readonly port: number;
  /** How many hubs share live events, this one included (as far as it has heard from them). */
  hubs(): Promise<number>;
  /** Disconnects every client, stops listening, and stores every write accepted so far. */
  close(): Promise<void>;
}

/** ` (SQLSTATE xxxxx)` when the error carries one. */
const sqlState = (err: unknown): string => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? ` (SQLSTATE ${code})` : '';
};

const urlHost = (host: string): string => (host.includes(':') ? `[${host}]` : host);
/** The name others reach a hub by: its host, or the machine's name when it listens on every address. */
const publicHost = (host: string): string => (host === '0.0.0.0' || host === '::' ? os.hostname() : host);

// One hub: HTTP API and Socket.io on one server, writes through one BatchWriter.
export async function startHub(options: HubOptions): Promise<Hub> {
  const log = options.log ?? ((message: string) => console.error(message));
  const writer = new BatchWriter(options.store, {
    maxBytes: options.store.statementBytes,
    onError: (err, attempt) => log(`Job store write failed (attempt ${attempt}), retrying: ${String(err)}`),
    onRefused: (what, err) => log(`The database refused ${what}; not stored: ${messageOf(err)}${sqlState(err)}`),
  });
  const collection = options.collectGarbage ? new IdleCollection(options.collectGarbage) : undefined;
  if (collection) writer.on('stored', () => collection.wrote());
  const tokens = new TokenChecker(options.tokens);
  const throttle = options.throttle ?? new LoginThrottle();
  let port = 0;
  const guard = new RequestGuard(options.host, () => port);
  const limits = new RateLimits(options.rateLimits ?? DEFAULT_RATE_LIMITS);
  const turns = new FairTurns();
  const server = http.createServer(httpHandler({ guard, tokens, throttle, store: options.store, log, limits, turns }));
  const cluster = options.cluster === undefined ? undefined : await openCluster(options.cluster, log);
  const webhooks = options.webhooks?.urls.length
    ? new Webhooks({ ...options.webhooks, store: options.store, stored: () => writer.flush(), dashboardUrl: () => `http://${urlHost(publicHost(options.host))}:${port}/`, log })
    : undefined;
  const { io, nsp, liveJobs } = attachIo(server, {
    guard,
    tokens,
    throttle,
    store: options.store,
    adapter: cluster?.adapter,
    limits,
    turns,
    liveJobs: (namespace) => new LiveJobs(namespace, options.store, writer, options.graceMs, new Peers(namespace, cluster !== undefined), (event) => webhooks?.ended(event)),
  });
  const peers = liveJobs.peers;
  peers.serve({
    job: (event) => liveJobs.fromPeer(event),
    claims: (jobIds) => jobIds.filter((id) => liveJobs.isClaimed(id)),
    cancel: async (jobId) => {
      const owner = liveJobs.ownerOf(jobId);
      return owner ? askOwner(owner, jobId, PEER_CANCEL_TIMEOUT_MS) : null;
    },
  });

  try {
    await listen(server, options.host, options.port, options.preferPort);
  } catch (err) {
    await new Promise((resolve) => void io.close(resolve));
    await cluster?.close();
    throw err;
  }
  port = (server.address() as AddressInfo).port;

  const sweep = startSweep({ store: options.store, liveJobs, peers, graceMs: options.graceMs, log });
  const retention = startRetention(options.store, options.retention ?? {}, log, options.retention?.everyMs);

  let idleSince = Date.now();
  const idleTimer = options.idle
    ? setInterval(() => {
        if (nsp.sockets.size > 0 || liveJobs.runningCount > 0) idleSince = Date.now();
        else if (Date.now() - idleSince >= options.idle!.ms) {
          clearInterval(idleTimer);
          options.idle!.onIdle();
        }
      }, Math.min(1000, Math.max(50, options.idle.ms / 4)))
    : undefined;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost(options.host)}:${port}`,
    port,
    hubs: () => peers.count(),
    close() {
      closing ??= (async () => {
        clearInterval(idleTimer);
        collection?.stop();
        sweep.stop();
        liveJobs.stop();
        webhooks?.stop();
        // A prune under way ends before the caller closes the store.
        const pruned = retention.stop();
        await new Promise<void>((resolve) => {
          void io.close(() => resolve());
          server.closeAllConnections();
        });
        await cluster?.close();
        await writer.close(10_000);
        await pruned;
      })();
      return closing;
    },
  };
}
