import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../telemetry/logger.js';
import { withPodSpan } from '../../telemetry/pod-trace.js';
import type { TesseraMetrics } from '../../telemetry/metrics.js';
import type { ExtenderService } from '../extender-service.js';
import { validateBody } from '../validate-body.js';
import { ExtenderBindingArgsSchema, ExtenderPreemptionArgsSchema } from '../wire-schemas.js';
import { ByteExtenderArgsReader } from './byte-extender-args-reader.js';
import { requireJson } from './content-type.js';
import { ExtenderArgsParser } from './extender-args.js';
import { tooManyNodes } from './extender-args-reader.js';
import { JsonExtenderArgsReader } from './json-extender-args-reader.js';
import { NamesAnswerWriter } from './names-answer-writer.js';
import { readBody, readJsonBody } from './read-body.js';
import type { RequestLimits } from './request-limits.js';
import { addHealthRoutes } from './health-routes.js';
import { createRouter, sendBytes, sendJson, type Route, type RouteMount } from './router.js';
import { serializeFilterResult } from './serialize-filter-result.js';
import { serializeHostPriorities } from './serialize-host-priorities.js';
import { NodeNamesReader } from './trailing-node-names.js';

/** What the verb server's HTTP adapter needs. */
export interface HttpHandlerDeps {
  readonly service: ExtenderService;
  /** Verb prefix without trailing slash (`/scheduler`; '' for the root). */
  readonly urlPrefix: string;
  /** Body size, names per request (sized from the fleet). */
  readonly limits: RequestLimits;
  /** Time allowed to receive a whole request, from its first byte. */
  readonly requestTimeoutMs: number;
  readonly metrics: TesseraMetrics;
  readonly log: Logger;
  /** True once the cluster source has synced. */
  readonly ready: () => boolean;
  /** Refuses clients that may not call the verbs (mutual TLS allowed names); none = everyone who connected. */
  readonly authorize?: (req: IncomingMessage) => void;
  /** `plain` reads every filter/prioritize body with the JSON path (tests compare it with the byte fast path). */
  readonly argsPath?: 'auto' | 'plain';
}

/**
 * The verb server's HTTP adapter: `POST <prefix>/{filter,prioritize,bind,preempt}` (JSON only: 415 otherwise),
 * plus `/healthz` and `/readyz` for the kubelet. Bodies are limited in size, time and nesting (RequestLimits,
 * requestTimeoutMs, MAX_JSON_DEPTH) before any work. Metrics and the node inventory are on the ops server.
 */
export function createHttpHandler(deps: HttpHandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { service, urlPrefix, limits, metrics } = deps;
  const routes = new Map<string, Route>();
  // Names-only answers are written as bytes from the service's name index (full-node ones are serialized).
  const lists = new NodeNamesReader(service.names);
  const writer = new NamesAnswerWriter(service.names, lists);
  const maxNames = (): number => limits.names();
  const plain = new JsonExtenderArgsReader(service.names, maxNames);
  const argsParser = new ExtenderArgsParser(deps.argsPath === 'plain' ? null : new ByteExtenderArgsReader(lists, maxNames), plain);
  const body = async (req: IncomingMessage, verb: string): Promise<Buffer> => {
    requireJson(req, verb);
    return readBody(req, limits.bodyBytes(verb), verb, Date.now() + deps.requestTimeoutMs);
  };
  const parsedBody = async (req: IncomingMessage, verb: string): Promise<unknown> => {
    requireJson(req, verb);
    return readJsonBody(req, limits.bodyBytes(verb), verb, Date.now() + deps.requestTimeoutMs);
  };
  routes.set(`${urlPrefix}/filter`, {
    method: 'POST', verb: 'filter',
    run: async (req, res) => {
      const { args, candidates, namesRead } = argsParser.parse(await body(req, 'filter'), 'filter');
      if (namesRead !== null) metrics.nodeNameLists.inc({ read: namesRead });
      const bytes = withPodSpan('POST', `${urlPrefix}/filter`, args.Pod.metadata, () =>
        (candidates !== null ? writer.filter(service.filterCandidates(args.Pod, candidates)) : serializeFilterResult(service.filter(args))));
      sendBytes(res, bytes);
    },
  });
  routes.set(`${urlPrefix}/prioritize`, {
    method: 'POST', verb: 'prioritize',
    run: async (req, res) => {
      const { args, candidates, namesRead } = argsParser.parse(await body(req, 'prioritize'), 'prioritize');
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
      const args = validateBody(ExtenderBindingArgsSchema, await parsedBody(req, 'bind'), 'bind');
      const pod = { namespace: args.PodNamespace, name: args.PodName, uid: args.PodUID };
      sendJson(res, 200, await withPodSpan('POST', `${urlPrefix}/bind`, pod, () => service.bind(args)));
    },
  });
  routes.set(`${urlPrefix}/preempt`, {
    method: 'POST', verb: 'preempt',
    run: async (req, res) => {
      const parsed = await parsedBody(req, 'preempt');
      const limit = limits.names();
      if (victimNodes(parsed) > limit) throw tooManyNodes('preempt', limit);
      const args = validateBody(ExtenderPreemptionArgsSchema, parsed, 'preempt');
      sendJson(res, 200, withPodSpan('POST', `${urlPrefix}/preempt`, args.Pod.metadata, () => service.preempt(args)));
    },
  });
  addHealthRoutes(routes, deps.ready);
  return createRouter(routes, {
    metrics, log: deps.log, ...(deps.authorize === undefined ? {} : { authorize: deps.authorize }),
    served: `extender verbs are POST ${urlPrefix}/{filter,prioritize,bind,preempt}; also GET /healthz, /readyz (metrics and the node inventory are on the ops port)`,
  });
}

/** Nodes a parsed preempt body proposes (its victim maps' keys). */
function victimNodes(body: unknown): number {
  if (typeof body !== 'object' || body === null) return 0;
  const { NodeNameToVictims, NodeNameToMetaVictims } = body as Record<string, unknown>;
  const count = (m: unknown): number => (typeof m === 'object' && m !== null ? Object.keys(m).length : 0);
  return Math.max(count(NodeNameToVictims), count(NodeNameToMetaVictims));
}

export type { RouteMount };
