import { create, type MessageInitShape } from '@bufbuild/protobuf';
import {
  status, type handleServerStreamingCall, type handleUnaryCall, type ServerUnaryCall, type StatusObject,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { AllocationFeed } from '../../cluster/cache/allocation-feed.js';
import type { ClusterCache } from '../../cluster/cache/cluster-cache.js';
import type { Logger } from '../../telemetry/logger.js';
import type { TesseraMetrics } from '../../telemetry/metrics.js';
import type { ExtenderService } from '../extender-service.js';
import { toFilterResult } from '../names-filter-answer.js';
import type { WireNode } from '../wire-schemas.js';
import {
  BindResponseSchema, FilterResponseSchema, PreemptResponseSchema, PrioritizeResponseSchema, type HostPrioritySchema,
  type BindRequest, type BindResponse, type FilterRequest, type FilterResponse, type InventoryRequest,
  type InventoryResponse, type PreemptRequest, type PreemptResponse, type PrioritizeRequest,
  type PrioritizeResponse, type WatchAllocationsRequest, type WatchAllocationsResponse,
} from './gen/tessera/v1/scheduler_pb.js';
import { GrpcArgsReader } from './grpc-extender-args.js';
import { GrpcStatusError } from './grpc-status-error.js';
import { inventoryResponse } from './inventory-response.js';
import { mapGrpcError } from './map-grpc-error.js';
import { serveWatch, type Watch } from './watch-allocations.js';

/** What the SchedulerService handlers need. */
export interface SchedulerHandlerDeps {
  readonly service: ExtenderService;
  readonly cache: ClusterCache;
  readonly feed: AllocationFeed;
  /** The cluster source's kind (`sim`, `kube`), as Inventory reports it. */
  readonly cluster: string;
  readonly metrics: TesseraMetrics;
  readonly log: Logger;
}

/**
 * The gRPC adapter of tessera.v1.SchedulerService: each RPC validates its request as the HTTP verb validates its
 * body (GrpcArgsReader), calls the same ExtenderService method, and answers its result as protobuf messages; every
 * error goes through mapGrpcError. Names-only Filter and Prioritize resolve the names through the service's
 * NodeNameIndex and call filterCandidates / prioritizeCandidates, as the HTTP names path does. `watches` holds the
 * open WatchAllocations streams (the server ends them on shutdown).
 */
export function schedulerHandlers(deps: SchedulerHandlerDeps, watches: Set<Watch>): UntypedServiceImplementation {
  const { service, cache, metrics, log } = deps;
  const reader = new GrpcArgsReader(service.names);
  const observe = (method: string, started: bigint, code: status): void => {
    metrics.grpcRequestDuration.observe({ method, code: status[code] ?? String(code) }, Number(process.hrtime.bigint() - started) / 1e9);
  };

  /** A unary handler: `run`'s answer, or its error mapped; timed into tessera_grpc_request_duration_seconds. */
  function unary<Req, Res>(method: string, run: (request: Req) => Res | Promise<Res>): handleUnaryCall<Req, Res> {
    return (call: ServerUnaryCall<Req, Res>, callback) => {
      const started = process.hrtime.bigint();
      const failed = (err: unknown): void => {
        const mapped = mapGrpcError(err, log, { method, peer: call.getPeer() });
        callback(mapped);
        observe(method, started, mapped.code ?? status.UNKNOWN);
      };
      let answer: Res | Promise<Res>;
      try {
        answer = run(call.request);
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

  const filter = unary<FilterRequest, FilterResponse>('Filter', (request) => {
    const { args, candidates } = reader.extenderArgs(request, 'filter');
    if (candidates !== null) {
      const answer = service.filterCandidates(args.Pod, candidates);
      if (answer.error !== '') throw new GrpcStatusError(status.UNAVAILABLE, answer.error);
      const result = toFilterResult(answer);
      return create(FilterResponseSchema, {
        nodeNames: result.NodeNames ?? [], failedNodes: result.FailedNodes, failedAndUnresolvableNodes: result.FailedAndUnresolvableNodes,
      });
    }
    const result = service.filter(args);
    if (result.Error !== '') throw new GrpcStatusError(status.UNAVAILABLE, result.Error);
    return create(FilterResponseSchema, {
      nodeNames: (result.Nodes?.items ?? []).map((node) => (node as WireNode).metadata.name),
      failedNodes: result.FailedNodes,
      failedAndUnresolvableNodes: result.FailedAndUnresolvableNodes,
    });
  });

  const prioritize = unary<PrioritizeRequest, PrioritizeResponse>('Prioritize', (request) => {
    const { args, candidates } = reader.extenderArgs(request, 'prioritize');
    if (candidates !== null) {
      const scores = service.prioritizeCandidates(args.Pod, candidates);
      const hostPriorities = new Array<MessageInitShape<typeof HostPrioritySchema>>(candidates.count);
      for (let i = 0; i < candidates.count; i += 1) hostPriorities[i] = { host: candidates.name(i), score: scores[i] as number };
      return create(PrioritizeResponseSchema, { hostPriorities });
    }
    return create(PrioritizeResponseSchema, { hostPriorities: service.prioritize(args).map((h) => ({ host: h.Host, score: h.Score })) });
  });

  const bind = unary<BindRequest, BindResponse>('Bind', async (request) => {
    const result = await service.bind(reader.bindingArgs(request));
    return create(BindResponseSchema, { error: result.Error });
  });

  const preempt = unary<PreemptRequest, PreemptResponse>('Preempt', (request) => {
    const result = service.preempt(reader.preemptionArgs(request));
    const victims = Object.fromEntries(Object.entries(result.NodeNameToMetaVictims).map(([node, v]) => [node, {
      pods: v.Pods.map((p) => ({ uid: p.UID })), numPdbViolations: v.NumPDBViolations,
    }]));
    return create(PreemptResponseSchema, { nodeNameToMetaVictims: victims });
  });

  const inventory = unary<InventoryRequest, InventoryResponse>('Inventory', () => inventoryResponse(cache.nodeViews(), {
    cluster: deps.cluster, synced: cache.synced, version: cache.version, incarnation: deps.feed.incarnation,
  }));

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

  return { filter, prioritize, bind, preempt, inventory, watchAllocations } as UntypedServiceImplementation;
}
