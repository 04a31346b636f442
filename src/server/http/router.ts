import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../telemetry/logger.js';
import type { MetricVerb, TesseraMetrics } from '../../telemetry/metrics.js';
import { RequestAbortedError, RequestError } from '../request-error.js';
import { mapError } from './map-error.js';
import { routeReadOnly, type ReadOnlyRoute } from './read-only-route.js';

/** One route: its method, the `verb` label of its metrics, and what it does. */
export interface Route {
  readonly method: 'GET' | 'POST';
  readonly verb: MetricVerb;
  readonly run: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
}

/**
 * A route module mounted beside the fixed routes (read-only pages: dashboard, showback): answers true when it
 * handled the request (it then writes the whole answer itself, errors included).
 */
export type RouteMount = ReadOnlyRoute;

/** What a router needs. */
export interface RouterDeps {
  readonly metrics: TesseraMetrics;
  readonly log: Logger;
  /** What a 404 says is served here. */
  readonly served: string;
  readonly mounts?: readonly RouteMount[];
  /** Runs before any route: throws a RequestError (403) for a client that may not call this server. */
  readonly authorize?: (req: IncomingMessage) => void;
}

/** How long a connection whose body was refused before it ended may keep sending before it is cut. */
const REFUSED_BODY_GRACE_MS = 1000;

/**
 * Routes requests by exact path, maps errors (one mapper: RequestError -> its 4xx, anything else logged and
 * 500), and records `tessera_extender_request_duration_seconds`. A client that goes away before its answer is
 * counted in `tessera_http_requests_aborted_total` only: not answered, not observed as a status, not logged as
 * an error. Wrong path -> 404, wrong method -> 405 with `Allow`.
 */
export function createRouter(routes: ReadonlyMap<string, Route>, deps: RouterDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { metrics, log } = deps;
  return (req, res) => {
    const started = process.hrtime.bigint();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const route = routes.get(path);
    const verb: MetricVerb = route?.verb ?? 'other';
    let aborted = false;
    const abort = (): void => {
      if (aborted) return;
      aborted = true;
      metrics.requestsAborted.inc({ verb });
    };
    res.once('close', () => {
      if (!res.writableFinished) abort();
    });
    const finish = (): void => {
      if (aborted) return;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.requestDuration.observe({ verb, code: String(res.statusCode) }, seconds);
    };
    // A mounted module answers by itself; its time is observed when its answer is done.
    if (route === undefined && deps.authorize === undefined && deps.mounts !== undefined && routeReadOnly(deps.mounts, req, res)) {
      res.once('close', finish);
      return;
    }
    const run = async (): Promise<void> => {
      deps.authorize?.(req);
      if (route === undefined) {
        throw new RequestError('TESSERA_NOT_FOUND', `no route for ${req.method ?? ''} ${JSON.stringify(path)}: ${deps.served}`);
      }
      const method = req.method === 'HEAD' && route.method === 'GET' ? 'GET' : req.method;
      if (method !== route.method) {
        res.setHeader('allow', route.method === 'GET' ? 'GET, HEAD' : 'POST');
        throw new RequestError('TESSERA_METHOD_NOT_ALLOWED', `method ${req.method ?? ''} is not allowed on ${JSON.stringify(path)}: use ${route.method}`);
      }
      await route.run(req, res);
    };
    run().then(finish, (err: unknown) => {
      if (err instanceof RequestAbortedError || aborted) {
        abort();
        log.debug('request aborted by the client', { method: req.method, path, reason: err instanceof Error ? err.message : String(err) });
        res.destroy();
        return;
      }
      const mapped = mapError(err, log, { method: req.method, path });
      if (!res.headersSent) {
        // A body still arriving (refused early: 413, 415, 408, 404/405 on a POST) is read and dropped for a
        // moment after the answer, so the client can read the answer; closing at once would reset the connection
        // under it. A body that has not ended by then (trickling, or endless) is cut off.
        if (!req.complete) {
          const socket: { destroy?: () => void } = req.socket;
          res.once('finish', () => setTimeout(() => {
            if (!req.complete) socket.destroy?.();
          }, REFUSED_BODY_GRACE_MS).unref());
        }
        sendJson(res, mapped.status, mapped.body);
      } else {
        res.destroy();
      }
      if (!req.complete) req.resume();
      finish();
    });
  };
}

/** Answers `body` as JSON. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Answers JSON bytes with 200. */
export function sendBytes(res: ServerResponse, bytes: Buffer): void {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': bytes.length });
  res.end(bytes);
}

/** Answers plain text. */
export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
