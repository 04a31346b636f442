import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import type { SchedulingOptions } from '../algorithm/scheduling-options.js';
import { AllocationFeed } from '../cluster/cache/allocation-feed.js';
import { ClusterCache } from '../cluster/cache/cluster-cache.js';
import type { ClusterSource } from '../cluster/cache/cluster-source.js';
import { createNodeParser, type NodeParser, type ParseNode } from '../cluster/cache/node-parser.js';
import type { Config } from '../config/config-schema.js';
import type { Allocation } from '../model/allocation.js';
import type { NodeInventory } from '../model/node-inventory.js';
import type { ParseResult } from '../model/parse-result.js';
import { SILENT_LOGGER, type Logger } from '../telemetry/logger.js';
import { createMetrics, type TesseraMetrics } from '../telemetry/metrics.js';
import { tesseraTracer } from '../telemetry/tracing.js';
import { EvaluationCache } from './evaluation-cache.js';
import { ExtenderService } from './extender-service.js';
import type { GrpcEndpoint } from './grpc/grpc-server.js';
import { createHttpHandler } from './http/http-handler.js';
import { nodesView } from './nodes-view.js';

/** Everything a running Tessera server is made of (tests and the bench reach in). */
export interface TesseraServer {
  /** `http://<host>:<port>` (`https://` with TLS) with the bound port. */
  readonly url: string;
  readonly port: number;
  readonly cache: ClusterCache;
  readonly service: ExtenderService;
  readonly registry: Registry;
  readonly metrics: TesseraMetrics;
  readonly nodeParser: NodeParser;
  /** The gRPC server (docs/service.md, "gRPC"), or null when config.grpcPort is null. */
  readonly grpc: GrpcEndpoint | null;
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
  /** Allocation changes kept for gRPC WatchAllocations to resume from (default 10,000; tests set it low). */
  readonly allocationHistory?: number;
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
  const nodeParser = createNodeParser(opts.parseNode);
  // Allocation changes are recorded only for gRPC's WatchAllocations.
  const feed = config.grpcPort === null ? null : new AllocationFeed(opts.allocationHistory);
  const cache = new ClusterCache({
    nodeParser,
    parseAllocation: opts.parseAllocation,
    now: opts.now ?? Date.now,
    assumeTtlMs: config.assumeTtlSeconds * 1000,
    log,
    onNodeParseError: () => metrics.nodeParseErrors.inc(),
    onExpired: () => metrics.assumeExpired.inc(),
    ...(feed === null ? {} : { onAllocationChange: (change) => feed.record(change) }),
  });
  metrics.observeCache(() => cache.stats());
  const service = new ExtenderService({
    cache, source, nodeParser, options: opts.options, evaluations: new EvaluationCache(config.evaluationCacheSize),
    metrics, tracer: tesseraTracer(), log,
  });
  const handler = createHttpHandler({
    service, urlPrefix: config.urlPrefix, maxBodyBytes: config.maxBodyBytes, metrics, registry, log,
    ready: () => cache.synced,
    nodes: () => nodesView(cache.nodeViews(), { cluster: source.kind, synced: cache.synced, version: cache.version }),
  });
  const tls = config.tlsCertFile !== null && config.tlsKeyFile !== null
    ? { cert: readFileSync(config.tlsCertFile), key: readFileSync(config.tlsKeyFile) }
    : null;
  const server: Server = tls === null
    ? createServer({ keepAliveTimeout: 65_000 }, handler)
    : createTlsServer({ ...tls, keepAliveTimeout: 65_000 }, handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  // Loaded only when configured: an HTTP-only server never loads grpc-js and the protobuf code.
  const grpc = feed === null ? null : await import('./grpc/grpc-server.js')
    .then(({ startGrpcServer }) => startGrpcServer({ config, service, cache, feed, cluster: source.kind, metrics, log }))
    .catch(async (err: unknown) => {
      await new Promise((resolve) => server.close(resolve));
      throw err;
    });
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const expiry = setInterval(() => cache.expire(), 1000);
  expiry.unref();
  const started = source.start(cache).catch((err: unknown) => {
    log.error('cluster source failed to start', { error: err instanceof Error ? err.message : String(err) });
    throw err;
  });
  if (opts.waitForSync === true) await started;
  else started.catch(() => {});
  log.info('tessera listening', { port, urlPrefix: config.urlPrefix, cluster: source.kind });

  let closing: Promise<void> | null = null;
  return {
    url: `${tls === null ? 'http' : 'https'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port, cache, service, registry, metrics, nodeParser, grpc,
    close(graceMs = config.shutdownGraceSeconds * 1000) {
      closing ??= (async () => {
        clearInterval(expiry);
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        await Promise.all([closed, grpc?.close(graceMs)]);
        clearTimeout(timer);
        await source.stop();
      })();
      return closing;
    },
  };
}
