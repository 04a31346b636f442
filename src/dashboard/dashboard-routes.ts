import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestError } from '../server/request-error.js';
import { getRoute, type ReadOnlyRoute } from '../server/http/read-only-route.js';
import type { Logger } from '../telemetry/logger.js';
import type { DashboardAssets } from './dashboard-assets.js';

/** Where the page lives. */
export const DASHBOARD_PATH = '/dashboard';

/**
 * Serves the page: `GET /dashboard` redirects to `/dashboard/` (so the page's relative URLs resolve under it),
 * `/dashboard/` is index.html, `/dashboard/<file>` and `/dashboard/vendor/<file>` are its scripts, styles and
 * libraries. Only the files loaded at startup exist (no path is ever joined onto the disk); ETags let the browser
 * revalidate cheaply, and the page's Content-Security-Policy allows nothing but this origin.
 */
export function dashboardPageRoute(assets: DashboardAssets, log: Logger): ReadOnlyRoute {
  return getRoute((p) => p === DASHBOARD_PATH || p.startsWith(`${DASHBOARD_PATH}/`), (req, res, url) => {
    if (url.pathname === DASHBOARD_PATH) {
      res.writeHead(308, { location: `${DASHBOARD_PATH}/${url.search}`, 'content-length': 0 });
      res.end();
      return;
    }
    const name = url.pathname.slice(DASHBOARD_PATH.length + 1) || 'index.html';
    const asset = assets.files.get(name);
    if (asset === undefined) throw new RequestError('TESSERA_NOT_FOUND', `no dashboard file ${JSON.stringify(url.pathname)}`);
    send(req, res, asset.body, asset.contentType, asset.etag, name === 'index.html' ? assets.contentSecurityPolicy : null);
  }, log);
}

function send(req: IncomingMessage, res: ServerResponse, body: Buffer, contentType: string, etag: string, csp: string | null): void {
  const headers: Record<string, string | number> = {
    'content-type': contentType, etag, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff',
  };
  if (csp !== null) {
    headers['content-security-policy'] = csp;
    headers['referrer-policy'] = 'no-referrer';
  }
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  headers['content-length'] = body.length;
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}
