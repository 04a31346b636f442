import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { Logger } from '../../telemetry/logger.js';
import { withPodSpan } from '../../telemetry/pod-trace.js';
import type { MetricVerb, TesseraMetrics } from '../../telemetry/metrics.js';
import type { ExtenderService } from '../extender-service.js';
import { RequestError } from '../request-error.js';
import { validateBody } from '../validate-body.js';
import { ExtenderBindingArgsSchema, ExtenderPreemptionArgsSchema } from '../wire-schemas.js';
import { ExtenderArgsParser } from './extender-args.js';
import { mapError } from './map-error.js';
import { NamesAnswerWriter } from './names-answer-writer.js';
import { readBody, readJsonBody } from './read-body.js';
import { routeReadOnly, type ReadOnlyRoute } from './read-only-route.js';
import { serializeFilterResult } from './serialize-filter-result.js';
import { serializeHostPriorities } from './serialize-host-priorities.js';
import { NodeNamesReader } from './trailing-node-names.js';

/** What the HTTP adapter needs. */
export interface HttpHandlerDeps {
  readonly service: ExtenderService;
  /** Verb prefix without trailing slash (`/scheduler`; '' for the root). */
  readonly urlPrefix: string;
  readonly maxBodyBytes: number;
  readonly metrics: TesseraMetrics;
  readonly registry: Registry;
  readonly log: Logger;
  /** True once the cluster source has synced. */
  readonly ready: () => boolean;
  /** `GET /api/v1/nodes` body. */
  readonly nodes: () => unknown;
  /** Read-only routes tried for paths that are not the above (dashboard, showback). */
  readonly readOnlyRoutes?: readonly ReadOnlyRoute[];
}

type Route = { readonly method: 'GET' | 'POST'; readonly verb: MetricVerb; readonly run: (req: IncomingMessage, res: ServerResponse) => Promise<void> };

/**
 * The HTTP adapter: routes `POST <prefix>/{filter,prioritize,bind,preempt}`, `GET /api/v1/nodes`, `/healthz`,
 * `/readyz`, `/metrics`; validates bodies; maps errors (one mapper); records request metrics. Wrong path -> 404,
 * wrong method -> 405 with `Allow`.
 */
export function createHttpHandler(deps: HttpHandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { service, urlPrefix, maxBodyBytes, metrics, log } = deps;
  const routes = new Map<string, Route>();
  // Names-only answers are written as bytes from the service's name index (full-node ones are serialized).
  const lists = new NodeNamesReader(service.names);
  const writer = new NamesAnswerWriter(service.names, lists);
  const argsParser = new ExtenderArgsParser(lists, service.names);
  routes.set(`${urlPrefix}/filter`, {
    method: 'POST', verb: 'filter',
    run: async (req, res) => {
      const { args, candidates, namesRead } = argsParser.parse(await readBody(req, maxBodyBytes, 'filter'), 'filter');
      if (namesRead !== null) metrics.nodeNameLists.inc({ read: namesRead });
      const bytes = withPodSpan('POST', `${urlPrefix}/filter`, args.Pod.metadata, () =>
        (candidates !== null ? writer.filter(service.filterCandidates(args.Pod, candidates)) : serializeFilterResult(service.filter(args))));
      sendBytes(res, bytes);
    },
  });
  routes.set(`${urlPrefix}/prioritize`, {
    method: 'POST', verb: 'prioritize',
    run: async (req, res) => {
      const { args, candidates, namesRead } = argsParser.parse(await readBody(req, maxBodyBytes, 'prioritize'), 'prioritize');
      if (namesRead !== null) metrics.nodeNameLists.inc({ read: namesRead });
      const bytes = withPodSpan('POST', `${urlPrefix}/prioritize`, args.Pod.metadata, () => (candidates !== null
        ? writer.priorities(candidates, service.prioritizeCandidates(args.Pod, candidates))
        : Buffer.from(serializeHostPriorities(service.prioritize(args)))));
      sendBytes(res, bytes);
    },
  });
  routes.set(`${urlPrefix}/bind`, {
    method: 'POST', verb: 'bind',
    run: async (req, res) => {
      const args = validateBody(ExtenderBindingArgsSchema, await readJsonBody(req, maxBodyBytes, 'bind'), 'bind');
      const pod = { namespace: args.PodNamespace, name: args.PodName, uid: args.PodUID };
      sendJson(res, 200, await withPodSpan('POST', `${urlPrefix}/bind`, pod, () => service.bind(args)));
    },
  });
  routes.set(`${urlPrefix}/preempt`, {
    method: 'POST', verb: 'preempt',
    run: async (req, res) => {
      const args = validateBody(ExtenderPreemptionArgsSchema, await readJsonBody(req, maxBodyBytes, 'preempt'), 'preempt');
      sendJson(res, 200, withPodSpan('POST', `${urlPrefix}/preempt`, args.Pod.metadata, () => service.preempt(args)));
    },
  });
  routes.set('/api/v1/nodes', { method: 'GET', verb: 'nodes', run: async (_req, res) => sendJson(res, 200, deps.nodes()) });
  routes.set('/healthz', { method: 'GET', verb: 'other', run: async (_req, res) => sendText(res, 200, 'ok\n') });
  routes.set('/readyz', {
    method: 'GET', verb: 'other',
    run: async (_req, res) => (deps.ready() ? sendText(res, 200, 'ok\n') : sendText(res, 503, 'cluster source not synced yet\n')),
  });
  routes.set('/metrics', {
    method: 'GET', verb: 'other',
    run: async (_req, res) => {
      const text = await deps.registry.metrics();
      res.writeHead(200, { 'content-type': deps.registry.contentType, 'content-length': Buffer.byteLength(text) });
      res.end(text);
    },
  });

  return (req, res) => {
    const started = process.hrtime.bigint();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const route = routes.get(path);
    const verb: MetricVerb = route?.verb ?? 'other';
    const finish = (): void => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.requestDuration.observe({ verb, code: String(res.statusCode) }, seconds);
    };
    if (route === undefined && deps.readOnlyRoutes !== undefined && routeReadOnly(deps.readOnlyRoutes, req, res)) {
      res.once('close', finish);
      return;
    }
    const run = async (): Promise<void> => {
      if (route === undefined) {
        throw new RequestError('TESSERA_NOT_FOUND', `no route for ${req.method ?? ''} ${JSON.stringify(path)}: extender verbs are POST ${urlPrefix}/{filter,prioritize,bind,preempt}; also GET /api/v1/nodes, /api/v1/showback, /dashboard, /healthz, /readyz, /metrics`);
      }
      const method = req.method === 'HEAD' && route.method === 'GET' ? 'GET' : req.method;
      if (method !== route.method) {
        res.setHeader('allow', route.method === 'GET' ? 'GET, HEAD' : 'POST');
        throw new RequestError('TESSERA_METHOD_NOT_ALLOWED', `method ${req.method ?? ''} is not allowed on ${JSON.stringify(path)}: use ${route.method}`);
      }
      await route.run(req, res);
    };
    run().then(finish, (err: unknown) => {
      const mapped = mapError(err, log, { method: req.method, path });
      if (!res.headersSent) {
        if (mapped.status === 413 || !req.complete) res.setHeader('connection', 'close');
        sendJson(res, mapped.status, mapped.body);
      } else {
        res.destroy();
      }
      // An unread body (413, 404/405 on a POST) must not be parsed as the next request: drain or close.
      if (!req.complete) req.resume();
      finish();
    });
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendBytes(res: ServerResponse, bytes: Buffer): void {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': bytes.length });
  res.end(bytes);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
