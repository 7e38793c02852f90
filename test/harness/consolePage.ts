// Serves the console's dev page (bench/console-page: the built app under the webview's CSP, with
// a fake or a bridged host) on 127.0.0.1, for the console bench and the tests that drive the app
// in Chromium with a host of their own.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ROOT } from './paths';

const PAGE_DIR = path.join(ROOT, 'bench/console-page');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
};

export interface PageServer {
  /** e.g. http://127.0.0.1:40123/bench/console-page/index.html */
  url: string;
  close(): Promise<void>;
}

/** Answers a request the static files do not (bench/console.ts: the bridge under /bridge/); returns whether it did. */
export type ExtraRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean;

/**
 * Serves the dev page, the app from `appDir` under /app/ and the codicons under /codicons/,
 * on 127.0.0.1 only. Nothing else in the repository is reachable.
 */
export async function serveConsolePage(appDir: string, extra?: ExtraRoute): Promise<PageServer> {
  const roots: Array<[string, string]> = [
    ['/bench/console-page/', PAGE_DIR],
    ['/app/', appDir],
    ['/codicons/', path.join(ROOT, 'node_modules/@vscode/codicons/dist')],
  ];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (extra?.(req, res, url)) return;
    for (const [prefix, dir] of roots) {
      if (!url.pathname.startsWith(prefix)) continue;
      const file = path.join(dir, decodeURIComponent(url.pathname.slice(prefix.length)));
      if (!file.startsWith(dir + path.sep) || !existsSync(file) || !statSync(file).isFile()) break;
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(readFileSync(file));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/bench/console-page/index.html`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

