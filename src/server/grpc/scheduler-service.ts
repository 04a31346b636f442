import { create } from '@bufbuild/protobuf';
import {
  status, type handleServerStreamingCall, type handleUnaryCall, type ServerUnaryCall, type StatusObject,
  type ServiceDefinition, type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { AllocationFeed } from '../../cluster/cache/allocation-feed.js';
import type { ClusterCache } from '../../cluster/cache/cluster-cache.js';
import type { Logger } from '../../telemetry/logger.js';
import type { TesseraMetrics } from '../../telemetry/metrics.js';
import type { ExtenderService } from '../extender-service.js';
import { RequestError } from '../request-error.js';
import type { WireNode } from '../wire-schemas.js';
import {
  BindResponseSchema, FilterResponseSchema, PreemptResponseSchema, PrioritizeResponseSchema, SchedulerService,
  type BindRequest, type BindResponse, type FilterRequest, type FilterResponse, type InventoryRequest,
  type InventoryResponse, type PreemptRequest, type PreemptResponse, type PrioritizeRequest,
  type PrioritizeResponse, type WatchAllocationsRequest, type WatchAllocationsResponse,
} from './gen/tessera/v1/scheduler_pb.js';
import { GrpcArgsReader } from './grpc-extender-args.js';
import { grpcServiceDefinition, MalformedMessage } from './grpc-service-definition.js';
import { GrpcStatusError } from './grpc-status-error.js';
import { inventoryResponse } from './inventory-response.js';
import { mapGrpcError } from './map-grpc-error.js';
import { NamesAnswerEncoder } from './names-answer-encoder.js';
import { NamesRequestReader, type NamesOnlyRequest } from './names-request-reader.js';
import { serveWatch, type Watch } from './watch-allocations.js';

/** What the SchedulerService adapter needs. */
export interface SchedulerServiceDeps {
  readonly service: ExtenderService;
  readonly cache: ClusterCache;
  readonly feed: AllocationFeed;
  /** The cluster source's kind (`sim`, `kube`), as Inventory reports it. */
  readonly cluster: string;
  readonly metrics: TesseraMetrics;
  readonly log: Logger;
  /** The most candidate names one Filter or Prioritize may list (as over HTTP); default no limit. */
  readonly namesLimit?: () => number;
}

/**
 * The gRPC adapter of tessera.v1.SchedulerService, as its grpc-js definition and implementation: each RPC
 * validates its request as the HTTP verb validates its body (GrpcArgsReader), calls the same ExtenderService
 * method, and answers its result as protobuf; every error goes through mapGrpcError. Names-only Filter and
 * Prioritize are read from their bytes (NamesRequestReader: names resolved to NodeNameIndex ids), answered by
 * filterCandidates / prioritizeCandidates and written as bytes (NamesAnswerEncoder), as the HTTP names path does.
 * `watches` holds the open WatchAllocations streams (the server ends them on shutdown).
 */
export function schedulerService(deps: SchedulerServiceDeps, watches: Set<Watch>): { definition: ServiceDefinition; implementation: UntypedServiceImplementation } {
  const { service, cache, metrics, log } = deps;
  const reader = new GrpcArgsReader(service.names, deps.namesLimit);
  // Names-only Filter and Prioritize are read from and written as bytes, as over HTTP.
  const names = new NamesRequestReader(service.names);
  const encoder = new NamesAnswerEncoder(service.names, names);
  const observe = (method: string, started: bigint, code: status): void => {
    metrics.grpcRequestDuration.observe({ method, code: status[code] ?? String(code) }, Number(process.hrtime.bigint() - started) / 1e9);
  };

  /** A unary handler: `run`'s answer, or its error mapped; timed into tessera_grpc_request_duration_seconds. */
  function unary<Req, Res>(method: string, verb: string, run: (request: Req) => Res | Promise<Res>): handleUnaryCall<Req | MalformedMessage, Res> {
    return (call: ServerUnaryCall<Req | MalformedMessage, Res>, callback) => {
      const started = process.hrtime.bigint();
      const failed = (err: unknown): void => {
        const mapped = mapGrpcError(err, log, { method, peer: call.getPeer() });
        callback(mapped);
        observe(method, started, mapped.code ?? status.UNKNOWN);
      };
      let answer: Res | Promise<Res>;
      try {
        const request = call.request;
        if (request instanceof MalformedMessage) {
          throw new RequestError('TESSERA_BAD_REQUEST', `cannot ${verb}: invalid request: not a valid ${request.typeName} message: ${request.reason}`);
        }
        answer = run(request);
      } catch (err) {
        failed(err);
        return;
      }
      // Filter and Prioritize answer synchronously: no promise on their path.
      if (answer instanceof Promise) {
        answer.then((res) => {
          callback(null, res);
          observe(method, started, status.OK);
        }, failed);
      } else {
        callback(null, answer);
        observe(method, started, status.OK);
      }
    };
  }

  const filter = unary<FilterRequest | NamesOnlyRequest, FilterResponse | Buffer>('Filter', 'filter', (request) => {
    const read = reader.extenderArgs(request, 'filter');
    if (read.form === 'names') {
      const answer = service.filterCandidates(read.pod, read.candidates);
      if (answer.error !== '') throw new GrpcStatusError(status.UNAVAILABLE, answer.error);
      return encoder.filter(answer);
    }
    const result = service.filter(read.args);
    if (result.Error !== '') throw new GrpcStatusError(status.UNAVAILABLE, result.Error);
    return create(FilterResponseSchema, {
      nodeNames: (result.Nodes?.items ?? []).map((node) => (node as WireNode).metadata.name),
      failedNodes: result.FailedNodes,
      failedAndUnresolvableNodes: result.FailedAndUnresolvableNodes,
    });
  });

  const prioritize = unary<PrioritizeRequest | NamesOnlyRequest, PrioritizeResponse | Buffer>('Prioritize', 'prioritize', (request) => {
    const read = reader.extenderArgs(request, 'prioritize');
    if (read.form === 'names') return encoder.priorities(read.candidates, service.prioritizeCandidates(read.pod, read.candidates));
    return create(PrioritizeResponseSchema, { hostPriorities: service.prioritize(read.args).map((h) => ({ host: h.Host, score: h.Score })) });
  });

  const bind = unary<BindRequest, BindResponse>('Bind', 'bind', async (request) => {
    const result = await service.bind(reader.bindingArgs(request));
    return create(BindResponseSchema, { error: result.Error });
  });

  const preempt = unary<PreemptRequest, PreemptResponse>('Preempt', 'preempt', (request) => {
    const result = service.preempt(reader.preemptionArgs(request));
    const victims = Object.fromEntries(Object.entries(result.NodeNameToMetaVictims).map(([node, v]) => [node, {
      pods: v.Pods.map((p) => ({ uid: p.UID })), numPdbViolations: v.NumPDBViolations,
    }]));
    return create(PreemptResponseSchema, { nodeNameToMetaVictims: victims });
  });

  const inventory = unary<InventoryRequest, InventoryResponse>('Inventory', 'list the inventory', () => inventoryResponse(cache.nodeViews(), {
    cluster: deps.cluster, synced: cache.synced, version: cache.version, incarnation: deps.feed.incarnation,
  }, cache.allHolds()));

  const watchAllocations: handleServerStreamingCall<WatchAllocationsRequest, WatchAllocationsResponse> = (call) => {
    const started = process.hrtime.bigint();
    // `done` may run before serveWatch returns (a watch that cannot resume ends at once).
    let watch: Watch | null = null;
    watch = serveWatch(call, { feed: deps.feed, version: () => cache.version }, (final: Partial<StatusObject>) => {
      if (watch !== null) watches.delete(watch);
      observe('WatchAllocations', started, final.code ?? status.OK);
    });
    if (!watch.finished) watches.add(watch);
  };

  const readNames = (bytes: Buffer): NamesOnlyRequest | null => names.read(bytes);
  return {
    definition: grpcServiceDefinition(SchedulerService, { filter: readNames, prioritize: readNames }),
    implementation: { filter, prioritize, bind, preempt, inventory, watchAllocations } as UntypedServiceImplementation,
  };
}
