import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../telemetry/logger.js';
import { RequestError } from '../request-error.js';
import { mapError } from './map-error.js';

/**
 * A read-only route mounted beside the extender's: answers the request and returns true when the path is its,
 * returns false (touching nothing) otherwise. `url` is the request URL parsed against the server's origin.
 */
export type ReadOnlyRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean;

/** What a GET handler returns: a JSON body (status 200 unless given), or nothing when it wrote the answer itself. */
export type GetAnswer = { readonly status?: number; readonly json: unknown } | void;

/**
 * A ReadOnlyRoute for the paths `matches` accepts: GET and HEAD run `handle`; other methods get 405 with `Allow`.
 * A RequestError thrown by `handle` becomes its 4xx (`{Error, Code, Issues}`, as every Tessera route answers);
 * anything else is logged and answered 500.
 */
export function getRoute(matches: (path: string) => boolean, handle: (req: IncomingMessage, res: ServerResponse, url: URL) => GetAnswer | Promise<GetAnswer>, log: Logger): ReadOnlyRoute {
  return (req, res, url) => {
    if (!matches(url.pathname)) return false;
    const run = async (): Promise<void> => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD');
        throw new RequestError('TESSERA_METHOD_NOT_ALLOWED', `method ${req.method ?? ''} is not allowed on ${JSON.stringify(url.pathname)}: use GET`);
      }
      const answer = await handle(req, res, url);
      if (answer !== undefined) sendJson(req, res, answer.status ?? 200, answer.json);
    };
    run().catch((err: unknown) => {
      const mapped = mapError(err, log, { method: req.method, path: url.pathname });
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (!req.complete) res.setHeader('connection', 'close');
      sendJson(req, res, mapped.status, mapped.body);
      if (!req.complete) req.resume();
    });
    return true;
  };
}

/** Tries each route in turn; true when one handled the request. A URL that cannot be parsed is nobody's. */
export function routeReadOnly(routes: readonly ReadOnlyRoute[], req: IncomingMessage, res: ServerResponse): boolean {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://localhost');
  } catch {
    return false;
  }
  for (const route of routes) if (route(req, res, url)) return true;
  return false;
}

/** Writes a JSON answer (no body for HEAD). */
export function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : text);
}

/** Reads a query: every parameter at most once and only the names in `allowed`, else a 400 that names the problem. */
export function readQuery<K extends string>(url: URL, allowed: readonly K[], what: string): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  const issues: { path: string; message: string }[] = [];
  for (const [key, value] of url.searchParams) {
    if (!(allowed as readonly string[]).includes(key)) {
      issues.push({ path: key, message: `unknown query parameter ${JSON.stringify(key)}: expected ${allowed.join(', ')}` });
    } else if (out[key as K] !== undefined) {
      issues.push({ path: key, message: `query parameter ${JSON.stringify(key)} is given more than once` });
    } else {
      out[key as K] = value;
    }
  }
  if (issues.length > 0) throw badQuery(what, issues);
  return out;
}

/** A 400 for bad query parameters: `cannot <what>: <first issue>`, every issue listed. */
export function badQuery(what: string, issues: readonly { path: string; message: string }[]): RequestError {
  return new RequestError('TESSERA_BAD_REQUEST', `cannot ${what}: ${issues.map((i) => i.message).join('; ')}`, issues);
}
