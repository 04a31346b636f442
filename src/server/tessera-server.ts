import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import type { SchedulingOptions, TargetTask } from '../algorithm/scheduling-options.js';
import { ClusterCache } from '../cluster/cache/cluster-cache.js';
import { observeSink } from '../cluster/cache/observed-sink.js';
import type { ClusterSource } from '../cluster/cache/cluster-source.js';
import { createNodeParser, type NodeParser, type ParseNode } from '../cluster/cache/node-parser.js';
import type { Config } from '../config/config-schema.js';
import type { Allocation } from '../model/allocation.js';
import type { NodeInventory } from '../model/node-inventory.js';
import type { ParseResult } from '../model/parse-result.js';
import { SILENT_LOGGER, type Logger } from '../telemetry/logger.js';
import { createMetrics, createPreemptionMetrics, type TesseraMetrics } from '../telemetry/metrics.js';
import { tesseraTracer } from '../telemetry/tracing.js';
import { EvaluationCache } from './evaluation-cache.js';
import { ExtenderService } from './extender-service.js';
import { clientAuthorizer } from './http/client-identity.js';
import { createHttpHandler } from './http/http-handler.js';
import { createOpsHandler } from './http/ops-handler.js';
import { RequestLimits } from './http/request-limits.js';
import type { RouteMount } from './http/router.js';
import { NodeCapacityPublisher } from './node-capacity-publisher.js';
import { nodesView } from './nodes-view.js';
import { DEFAULT_PREEMPTION_SETTINGS } from './preemption/preemption-coordinator.js';
import type { Timers } from './timers.js';
import { createOperatorViews, type OperatorViews } from './operator-views.js';
import { registerProcessMetrics } from '../telemetry/process-metrics.js';

/** Everything a running Tessera server is made of (tests and the bench reach in). */
export interface TesseraServer {
  /** `http://<host>:<port>` (`https://` with TLS) with the bound port. */
  readonly url: string;
  readonly port: number;
  /** `http://<opsHost>:<opsPort>`: metrics, health, node inventory (read-only). */
  readonly opsUrl: string;
  readonly opsPort: number;
  readonly cache: ClusterCache;
  readonly service: ExtenderService;
  readonly registry: Registry;
  readonly metrics: TesseraMetrics;
  readonly nodeParser: NodeParser;
  /** Showback, the dashboard's data and their routes. */
  readonly views: OperatorViews;
  /** Stops accepting, waits up to `graceMs` for requests in flight, then stops the cluster source. */
  close(graceMs?: number): Promise<void>;
}

/** Inputs of `startTesseraServer`; parsing functions are injected (main.ts wires the model's parsers). */
export interface TesseraServerOptions {
  readonly config: Config;
  readonly source: ClusterSource;
  readonly options: SchedulingOptions;
  /** `inventoryFromNode` bound to the preset catalog and price table. */
  readonly parseNode: ParseNode;
  /** `parseAllocationAnnotation`. */
  readonly parseAllocation: (text: string, inventory: NodeInventory) => ParseResult<Allocation>;
  readonly log?: Logger;
  readonly registry?: Registry;
  /** Milliseconds clock (assume TTL); Date.now by default. */
  readonly now?: () => number;
  /** Wait for the source's initial sync before resolving (tests); default false (readyz reports it). */
  readonly waitForSync?: boolean;
  /** Read-only route modules mounted on the ops server (besides the dashboard's and showback's). */
  readonly opsMounts?: readonly RouteMount[];
  /** `plain`: filter/prioritize bodies always take the JSON path (tests compare it with the byte fast path). */
  readonly argsPath?: 'auto' | 'plain';
  /** Dashboard history sampling interval (ms; default one minute, 0 = off). */
  readonly historyIntervalMs?: number;
  /** Clock and timers of preemption and job-group assembly (tests); the real ones by default. */
  readonly timers?: Timers;
}

/**
 * Composes cache, service and HTTP adapter, listens on config.host:config.port (0 = any free port), then starts
 * the cluster source. `/healthz` answers at once; `/readyz` once the source has synced.
 */
export async function startTesseraServer(opts: TesseraServerOptions): Promise<TesseraServer> {
  const { config, source } = opts;
  const log = opts.log ?? SILENT_LOGGER;
  const registry = opts.registry ?? new Registry();
  const metrics = createMetrics(registry);
  registerProcessMetrics(registry);
  const nodeParser = createNodeParser(opts.parseNode);
  const cache = new ClusterCache({
    nodeParser,
    parseAllocation: opts.parseAllocation,
    now: opts.now ?? Date.now,
    assumeTtlMs: config.assumeTtlSeconds * 1000,
    log,
    onNodeParseError: () => metrics.nodeParseErrors.inc(),
    onExpired: () => metrics.assumeExpired.inc(),
  });
  metrics.observeCache(() => cache.stats());
  // The service is built after the views (it binds through them); the workload is read from it on each use.
  let placedAgainst = (): readonly TargetTask[] => opts.options.targetWorkload;
  const views = createOperatorViews({
    cache, source, workload: () => placedAgainst(), parseAllocation: opts.parseAllocation, metrics, now: opts.now ?? Date.now, log,
    ...(opts.historyIntervalMs === undefined ? {} : { historyIntervalMs: opts.historyIntervalMs }),
  });
  const preemptionMetrics = createPreemptionMetrics(registry);
  preemptionMetrics.observeHolds(() => cache.allHolds());
  const service = new ExtenderService({
    cache, source: views.source, nodeParser, options: opts.options, evaluations: new EvaluationCache(config.evaluationCacheSize),
    metrics, tracer: tesseraTracer(), log, filterAnswer: config.filterAnswer,
    actions: source, preemptionMetrics,
    preemption: { ...DEFAULT_PREEMPTION_SETTINGS, holdMs: config.preemptionHoldSeconds * 1000 },
    groups: { waitMs: config.groupWaitSeconds * 1000 },
    ...(opts.timers === undefined ? {} : { timers: opts.timers }),
  });
  const publisher = config.nodeCapacity === 'publish' ? new NodeCapacityPublisher(cache, source, log) : null;
  cache.onNewPod((pod) => service.observePod(pod));
  cache.onSynced(() => service.clusterListed());
  // Nominations (config nominateFor) need a source that can write status.nominatedNodeName.
  const nominator = config.nominateFor.length > 0 && source.nominate !== undefined ? service.createNominator({ schedulerNames: config.nominateFor }) : null;
  const sink = nominator === null ? views.sink : observeSink(views.sink, [nominator], log);
  placedAgainst = () => service.engine.options.targetWorkload;
  const ready = (): boolean => cache.synced;
  const limits = new RequestLimits(config, () => cache.nodeCount);
  const tls = config.tlsCertFile !== null && config.tlsKeyFile !== null
    ? {
      cert: readFileSync(config.tlsCertFile), key: readFileSync(config.tlsKeyFile),
      // Mutual TLS: the handshake refuses a client without a certificate signed by this CA.
      ...(config.tlsClientCaFile === null ? {} : { ca: readFileSync(config.tlsClientCaFile), requestCert: true, rejectUnauthorized: true }),
    }
    : null;
  const authorize = config.tlsClientCaFile === null ? undefined : clientAuthorizer(config.tlsClientAllowedNames);
  const handler = createHttpHandler({
    service, urlPrefix: config.urlPrefix, limits, requestTimeoutMs: config.requestTimeoutSeconds * 1000, metrics, log, ready,
    ...(authorize === undefined ? {} : { authorize }), ...(opts.argsPath === undefined ? {} : { argsPath: opts.argsPath }),
  });
  const opsHandler = createOpsHandler({
    metrics, registry, log, ready, mounts: [...views.routes, ...(opts.opsMounts ?? [])],
    nodes: () => nodesView(cache.nodeViews(), { cluster: source.kind, synced: cache.synced, version: cache.version }, cache.allHolds()),
  });
  const timeouts = serverTimeouts(config);
  const server: Server = tls === null ? createServer(timeouts, handler) : createTlsServer({ ...tls, ...timeouts }, handler);
  const opsServer: Server = createServer(timeouts, opsHandler);
  applyTimeouts(server, config);
  applyTimeouts(opsServer, config);
  await listen(server, config.port, config.host);
  try {
    await listen(opsServer, config.opsPort, config.opsHost);
  } catch (err) {
    server.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const opsPort = (opsServer.address() as AddressInfo).port;
  const host = loopbackFor(config.host);
  const opsHost = loopbackFor(config.opsHost);
  const expiry = setInterval(() => cache.expire(), 1000);
  expiry.unref();
  const started = source.start(sink).catch((err: unknown) => {
    log.error('cluster source failed to start', { error: err instanceof Error ? err.message : String(err) });
    throw err;
  });
  void started.then(() => publisher?.start(), () => undefined);
  if (opts.waitForSync === true) await started;
  else started.catch(() => {});
  log.info('tessera listening', { port, host: config.host, opsPort, opsHost: config.opsHost, urlPrefix: config.urlPrefix, cluster: source.kind, mutualTls: config.tlsClientCaFile !== null });

  let closing: Promise<void> | null = null;
  return {
    url: `${tls === null ? 'http' : 'https'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
    opsUrl: `http://${opsHost.includes(':') ? `[${opsHost}]` : opsHost}:${opsPort}`,
    port, opsPort, cache, service, registry, metrics, nodeParser, views,
    close(graceMs = config.shutdownGraceSeconds * 1000) {
      closing ??= (async () => {
        clearInterval(expiry);
        publisher?.stop();
        views.close();
        nominator?.stop();
        const closed = Promise.all([server, opsServer].map((srv) => new Promise<void>((resolve) => srv.close(() => resolve()))));
        server.closeIdleConnections();
        opsServer.closeIdleConnections();
        const timer = setTimeout(() => {
          server.closeAllConnections();
          opsServer.closeAllConnections();
        }, graceMs);
        await closed;
        clearTimeout(timer);
        await source.stop();
      })();
      return closing;
    },
  };
}

/** Node's own limits: headers, whole request (a backstop behind readBody's 408), idle keep-alive. */
function serverTimeouts(config: Config): ServerOptions<typeof IncomingMessage, typeof ServerResponse> {
  return {
    keepAliveTimeout: config.idleTimeoutSeconds * 1000,
    headersTimeout: config.headersTimeoutSeconds * 1000,
    // readBody answers a slow body with a JSON 408 at requestTimeoutSeconds; Node cuts what is left soon after.
    requestTimeout: (config.requestTimeoutSeconds + 1) * 1000,
    // How often Node checks the two limits above (default 30 s, which would let a trickle run that much longer).
    connectionsCheckingInterval: 500,
  };
}

function applyTimeouts(server: Server, config: Config): void {
  // A connection that sends nothing at all (not even headers) is dropped after the headers timeout too.
  server.setTimeout(Math.max(config.headersTimeoutSeconds, config.requestTimeoutSeconds + 1, config.idleTimeoutSeconds + 1) * 1000);
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** The address to reach a server listening on `host` from this machine. */
function loopbackFor(host: string): string {
  return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
}
