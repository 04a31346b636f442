import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { Logger } from '../../telemetry/logger.js';
import type { TesseraMetrics } from '../../telemetry/metrics.js';
import { addHealthRoutes } from './health-routes.js';
import { createRouter, sendJson, type Route, type RouteMount } from './router.js';

/** What the ops server's HTTP adapter needs. */
export interface OpsHandlerDeps {
  readonly metrics: TesseraMetrics;
  readonly registry: Registry;
  readonly log: Logger;
  readonly ready: () => boolean;
  /** `GET /api/v1/nodes` body. */
  readonly nodes: () => unknown;
  /** Read-only route modules of other features (dashboard, showback), tried in order after the fixed routes. */
  readonly mounts?: readonly RouteMount[];
}

/**
 * The ops server's HTTP adapter, for operators and Prometheus, on a port apart from the verbs: `GET /metrics`,
 * `/healthz`, `/readyz`, `/api/v1/nodes`, and mounted read-only routes. Nothing here changes state.
 */
export function createOpsHandler(deps: OpsHandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const routes = new Map<string, Route>();
  routes.set('/api/v1/nodes', { method: 'GET', verb: 'nodes', run: async (_req, res) => sendJson(res, 200, deps.nodes()) });
  routes.set('/metrics', {
    method: 'GET', verb: 'other',
    run: async (_req, res) => {
      const text = await deps.registry.metrics();
      res.writeHead(200, { 'content-type': deps.registry.contentType, 'content-length': Buffer.byteLength(text) });
      res.end(text);
    },
  });
  addHealthRoutes(routes, deps.ready);
  return createRouter(routes, {
    metrics: deps.metrics, log: deps.log, mounts: deps.mounts ?? [],
    served: 'the ops port serves GET /metrics, /healthz, /readyz, /api/v1/nodes (extender verbs are on the verb port)',
  });
}
