import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';

/** The files of the page, by the name under `/dashboard/`: the app and the codicon font it draws icons with. */
const FILES: Record<string, string> = {
  'dashboard.js': 'text/javascript; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8',
  'codicon.css': 'text/css; charset=utf-8',
  'codicon.ttf': 'font/ttf',
};

/**
 * Where the built webviews are: beside the bundle (dist/server.js, also inside the .vsix), or
 * dist/webview of the repository when the hub runs from its sources.
 */
function webviewFolder(): string | undefined {
  return [path.join(__dirname, 'webview'), path.join(__dirname, '../../dist/webview')].find((dir) => existsSync(path.join(dir, 'dashboard.js')));
}

/** The host and port of a Host header, as a URL writes them; empty when it is not one. */
function hostOf(header: string): string {
  try {
    return new URL(`http://${header}`).host;
  } catch {
    return '';
  }
}

/**
 * The page allows only its own script, styles and font, and connections back to the origin it
 * came from: the hub, or a proxy in front of it such as code-server's /proxy/<port>/ (`'self'`
 * covers ws: and wss: of that origin in CSP 3; the explicit ones, of the Host the browser named,
 * are for browsers before it). The Host has passed the hub's RequestGuard and is written back as
 * a URL parses it, so nothing else of the header can reach the policy. No form may submit
 * anywhere, so a token typed into the login form cannot leave in a query string even when the
 * script failed to load.
 */
function headers(hostHeader: string, contentType: string): Record<string, string> {
  const host = hostOf(hostHeader);
  const csp = [
    `default-src 'none'`,
    `script-src 'self'`,
    `style-src 'self'`,
    `font-src 'self'`,
    `img-src 'self' data:`,
    `connect-src 'self'${host ? ` ws://${host} wss://${host}` : ''}`,
    `base-uri 'none'`,
    `form-action 'none'`,
    `frame-ancestors 'none'`,
  ].join('; ');
  return {
    'content-type': contentType,
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cache-control': 'no-cache',
  };
}

// The page names its files relative to itself, so that they load wherever it is served from: at
// the hub's root, or under a proxy's prefix (code-server's /proxy/<port>/).
const PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="dashboard/codicon.css" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="dashboard/dashboard.css">
<title>VM Orchestrator — Jobs</title>
</head>
<body>
<div id="app"></div>
<noscript>The dashboard needs JavaScript.</noscript>
<script src="dashboard/dashboard.js"></script>
</body>
</html>
`;

/** The response to a path of the page, or undefined for other paths (the API's). */
type Answer = { status: number; type: string; body: string | Buffer };

async function answer(pathname: string, folder: string | undefined): Promise<Answer | undefined> {
  const name = pathname === '/' ? '' : /^\/dashboard\/([^/]+)$/.exec(pathname)?.[1];
  if (name === undefined) return pathname.startsWith('/dashboard/') ? { status: 404, type: 'text/plain; charset=utf-8', body: 'Not found' } : undefined;
  if (!folder) return { status: 503, type: 'text/plain; charset=utf-8', body: 'The dashboard is not built: run `npm run build`.' };
  if (name === '') return { status: 200, type: 'text/html; charset=utf-8', body: PAGE };
  const type = FILES[name];
  if (!type) return { status: 404, type: 'text/plain; charset=utf-8', body: 'Not found' };
  return { status: 200, type, body: await readFile(path.join(folder, name)) };
}

// Serves the dashboard page at `/` and its files at `/dashboard/*`, without a token: they hold
// no data, and the page asks for the token itself. Only the listed files are served, so no
// path can reach anything else. Returns false for any other path.
export function dashboardHandler(): (req: http.IncomingMessage, res: http.ServerResponse) => Promise<boolean> {
  const folder = webviewFolder();
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://hub');
    const found = await answer(url.pathname, folder);
    if (!found) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('The dashboard is read-only');
      return true;
    }
    res.writeHead(found.status, headers(req.headers.host ?? '', found.type));
    res.end(req.method === 'HEAD' ? undefined : found.body);
    return true;
  };
}
