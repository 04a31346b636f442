import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Extender verbs and the other routes, as the `verb` label spells them. */
export type MetricVerb = 'filter' | 'prioritize' | 'bind' | 'preempt' | 'nodes' | 'other';

/** Low-cardinality rejection reasons of `tessera_filter_rejections_total`. */
export type RejectionReason = 'unschedulable' | 'unresolvable' | 'unknown_node' | 'invalid_node';

/** Cluster-cache figures read at scrape time. */
export interface CacheStats {
  readonly nodes: number;
  readonly assumedPods: number;
  /** Per canonical GPU product: GPUs and the allocated fraction summed over them (0..gpus). */
  readonly gpus: ReadonlyMap<string, { readonly total: number; readonly allocated: number }>;
}

/**
 * Every Tessera metric, registered on an injected (non-global) registry. Names and labels are documented in
 * docs/service.md ("Metrics"); keep the two in step.
 */
export interface TesseraMetrics {
  readonly requestDuration: Histogram<'verb' | 'code'>;
  readonly filterRejections: Counter<'reason'>;
  readonly bindConflicts: Counter;
  readonly binds: Counter<'result'>;
  readonly assumeExpired: Counter;
  readonly preemptionVictims: Counter;
  readonly evaluationCache: Counter<'result'>;
  readonly nodeParseErrors: Counter;
  readonly nodeNameLists: Counter<'read'>;
  /** gRPC calls (src/server/grpc): time to answer, by method and status code name. */
  readonly grpcRequestDuration: Histogram<'method' | 'code'>;
  /** Connects the scrape-time gauges to the cluster cache. */
  observeCache(stats: () => CacheStats): void;
}

/** Creates and registers every metric on `registry`. */
export function createMetrics(registry: Registry): TesseraMetrics {
  let stats: (() => CacheStats) | null = null;
  const registers = [registry];
  const metrics: TesseraMetrics = {
    requestDuration: new Histogram({
      name: 'tessera_extender_request_duration_seconds',
      help: 'Time to answer one HTTP request, by extender verb and HTTP status code.',
      labelNames: ['verb', 'code'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    filterRejections: new Counter({
      name: 'tessera_filter_rejections_total',
      help: 'Nodes rejected by filter, by reason (unschedulable, unresolvable, unknown_node, invalid_node).',
      labelNames: ['reason'],
      registers,
    }),
    bindConflicts: new Counter({
      name: 'tessera_bind_conflicts_total',
      help: 'Binds refused because the devices were taken after filter (kube-scheduler retries the pod).',
      registers,
    }),
    binds: new Counter({
      name: 'tessera_binds_total',
      help: 'Bind requests by result (bound, conflict, error).',
      labelNames: ['result'],
      registers,
    }),
    assumeExpired: new Counter({
      name: 'tessera_assume_expired_total',
      help: 'Assumed allocations dropped because the cluster never confirmed the bind within the TTL.',
      registers,
    }),
    preemptionVictims: new Counter({
      name: 'tessera_preemption_victims_total',
      help: 'Victim pods proposed by preempt, summed over candidate nodes.',
      registers,
    }),
    evaluationCache: new Counter({
      name: 'tessera_evaluation_cache_total',
      help: 'Lookups of the per-pod evaluation kept between filter, prioritize and bind (hit, miss).',
      labelNames: ['result'],
      registers,
    }),
    nodeParseErrors: new Counter({
      name: 'tessera_node_parse_errors_total',
      help: 'Node objects whose GPU inventory could not be read from labels and annotations.',
      registers,
    }),
    nodeNameLists: new Counter({
      name: 'tessera_node_name_lists_total',
      help: 'NodeNames lists of filter and prioritize bodies, by how they were read (recent, bytes, parsed).',
      labelNames: ['read'],
      registers,
    }),
    grpcRequestDuration: new Histogram({
      name: 'tessera_grpc_request_duration_seconds',
      help: 'Time to answer one gRPC call (a stream: until it ends), by method (Filter, ...) and status code (OK, INVALID_ARGUMENT, ...).',
      labelNames: ['method', 'code'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    observeCache(fn) {
      stats = fn;
    },
  };
  new Gauge({
    name: 'tessera_assumed_pods',
    help: 'Pods whose devices are held by a bind in flight or not yet confirmed by the cluster.',
    registers,
    collect() {
      if (stats !== null) this.set(stats().assumedPods);
    },
  });
  new Gauge({
    name: 'tessera_cluster_nodes',
    help: 'Nodes in the cluster cache.',
    registers,
    collect() {
      if (stats !== null) this.set(stats().nodes);
    },
  });
  new Gauge({
    name: 'tessera_gpus',
    help: 'GPUs in the cluster cache, by canonical product.',
    labelNames: ['product'],
    registers,
    collect() {
      if (stats === null) return;
      this.reset();
      for (const [product, g] of stats().gpus) this.set({ product }, g.total);
    },
  });
  new Gauge({
    name: 'tessera_gpu_allocated_ratio',
    help: 'Allocated share of GPU capacity (0..1), by canonical product; a GPU counts by its most used dimension.',
    labelNames: ['product'],
    registers,
    collect() {
      if (stats === null) return;
      this.reset();
      for (const [product, g] of stats().gpus) this.set({ product }, g.total === 0 ? 0 : g.allocated / g.total);
    },
  });
  return metrics;
}
