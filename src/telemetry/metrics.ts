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

/** Showback and fleet figures read at scrape time (src/server/operator-views.ts). */
export interface OperatorStats {
  /** Pods holding devices now and their GPU-equivalents (1 per whole GPU, 0.25 for a quarter share). */
  readonly pods: Iterable<{ readonly namespace: string; readonly pod: string; readonly node: string; readonly gpuEquivalents: number }>;
  /** Nodes with a price: the price of one GPU-hour there (node price / GPUs). */
  readonly nodeGpuHourlyCost: Iterable<{ readonly node: string; readonly cost: number }>;
  /** Stranded GPU-equivalents by product and capacity type (docs/dashboard.md). */
  readonly stranded: Iterable<{ readonly product: string; readonly capacityType: string; readonly stranded: number }>;
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
  /** Requests whose client went away before the answer (never counted as a status code). */
  readonly requestsAborted: Counter<'verb'>;
  /** Nominations of pending pods (pod-nominator.ts) by result. */
  readonly nominations: Counter<'result'>;
  /** gRPC calls (src/server/grpc): time to answer, by method and status code name. */
  readonly grpcRequestDuration: Histogram<'method' | 'code'>;
  /** Connects the scrape-time gauges to the cluster cache. */
  observeCache(stats: () => CacheStats): void;
  /** Connects the showback and stranded-GPU gauges to the operator views. */
  observeOperatorViews(stats: () => OperatorStats): void;
}

/** Creates and registers every metric on `registry`. */
export function createMetrics(registry: Registry): TesseraMetrics {
  let stats: (() => CacheStats) | null = null;
  let operator: (() => OperatorStats) | null = null;
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
    // Aborted requests: a client that closed mid-body or before its answer is not a server error.
    requestsAborted: new Counter({
      name: 'tessera_http_requests_aborted_total',
      help: 'Requests whose client went away before they were read or answered, by verb (not counted as any status code).',
      labelNames: ['verb'],
      registers,
    }),
    // ---- nominations (nominateFor) ----
    nominations: new Counter({
      name: 'tessera_nominations_total',
      help: 'Nominations of pending pods, by result: nominated (written), write_failed, no_node, taken (the filter answered the nominated node), dropped (kube-scheduler filtered the node out).',
      labelNames: ['result'],
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
    observeOperatorViews(fn) {
      operator = fn;
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
  // ---- showback (OpenCost's conventions: GPU-equivalents per pod, joinable with node_gpu_hourly_cost by node) ----
  new Gauge({
    name: 'tessera_pod_gpu_allocation',
    help: 'GPU-equivalents a pod holds now (1 per whole GPU, 0.25 for a quarter share), by namespace, pod and node.',
    labelNames: ['namespace', 'pod', 'node'],
    registers,
    collect() {
      if (operator === null) return;
      this.reset();
      for (const p of operator().pods) this.inc({ namespace: p.namespace, pod: p.pod, node: p.node }, p.gpuEquivalents);
    },
  });
  new Gauge({
    name: 'tessera_node_gpu_hourly_cost',
    help: 'Price of one GPU-hour on a node (node price per hour / GPUs), for nodes with a price.',
    labelNames: ['node'],
    registers,
    collect() {
      if (operator === null) return;
      this.reset();
      for (const n of operator().nodeGpuHourlyCost) this.set({ node: n.node }, n.cost);
    },
  });
  new Gauge({
    name: 'tessera_gpus_stranded',
    help: 'Idle GPU-equivalents that the requests their nodes are built for cannot use, by product and capacity type.',
    labelNames: ['product', 'capacity_type'],
    registers,
    collect() {
      if (operator === null) return;
      this.reset();
      for (const g of operator().stranded) this.set({ product: g.product, capacity_type: g.capacityType }, g.stranded);
    },
  });
  return metrics;
}

// ---- preemption and all-or-nothing job groups (docs/deploy.md "Preemption", "Job groups") ----

/** Metrics of Tessera's own preemption and of job-group assembly. */
export interface PreemptionMetrics {
  /** Preemptions decided, by path (`kube-scheduler`: the preempt verb; `tessera`: evicted by Tessera) and result. */
  readonly preemptions: Counter<'path' | 'result'>;
  /** Evictions Tessera asked the API server for, by result (`evicted`, `refused` by a PodDisruptionBudget, `error`). */
  readonly evictions: Counter<'result'>;
  /** Job-group assemblies in bind, by result (`bound`, `timeout`, `refused`). */
  readonly groupAssemblies: Counter<'result'>;
  /** Connects the held-devices gauge to the cache's holds. */
  observeHolds(holds: () => readonly { readonly reason: string }[]): void;
}

/** Creates and registers the preemption and job-group metrics on `registry`. */
export function createPreemptionMetrics(registry: Registry): PreemptionMetrics {
  let holds: (() => readonly { readonly reason: string }[]) | null = null;
  const registers = [registry];
  new Gauge({
    name: 'tessera_device_holds',
    help: 'Devices held for one pending pod (a preemptor\'s victims\' devices, a job-group member\'s planned place), by reason.',
    labelNames: ['reason'],
    registers,
    collect() {
      this.reset();
      if (holds === null) return;
      const counts = new Map<string, number>([['preemption', 0], ['group', 0]]);
      for (const h of holds()) counts.set(h.reason, (counts.get(h.reason) ?? 0) + 1);
      for (const [reason, n] of counts) this.set({ reason }, n);
    },
  });
  return {
    preemptions: new Counter({
      name: 'tessera_preemptions_total',
      help: 'Preemptions decided for pending pods, by path (kube-scheduler, tessera) and result (nominated, no_candidate, failed).',
      labelNames: ['path', 'result'],
      registers,
    }),
    evictions: new Counter({
      name: 'tessera_preemption_evictions_total',
      help: 'Victims Tessera evicted through the Eviction API, by result (evicted, refused, error).',
      labelNames: ['result'],
      registers,
    }),
    groupAssemblies: new Counter({
      name: 'tessera_group_assemblies_total',
      help: 'All-or-nothing job groups assembled in bind, by result (bound, timeout, refused).',
      labelNames: ['result'],
      registers,
    }),
    observeHolds(fn) {
      holds = fn;
    },
  };
}
