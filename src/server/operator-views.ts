import type { TargetTask } from '../algorithm/scheduling-options.js';
import type { ClusterCache } from '../cluster/cache/cluster-cache.js';
import type { ClusterSink, ClusterSource, PodRef } from '../cluster/cache/cluster-source.js';
import { observeSink } from '../cluster/cache/observed-sink.js';
import { dashboardApiRoutes } from '../dashboard/dashboard-api.js';
import { loadDashboardAssets, type DashboardAssets } from '../dashboard/dashboard-assets.js';
import { dashboardPageRoute } from '../dashboard/dashboard-routes.js';
import { FleetHistory } from '../dashboard/fleet-history.js';
import { FleetSummary } from '../dashboard/fleet-summary.js';
import { FleetTotalsTracker } from '../dashboard/fleet-totals.js';
import { PendingPods } from '../dashboard/pending-pods.js';
import type { Allocation } from '../model/allocation.js';
import type { NodeInventory } from '../model/node-inventory.js';
import type { ParseResult } from '../model/parse-result.js';
import { DEFAULT_PRICE_TABLE } from '../model/price-table.js';
import { ShowbackLedger } from '../showback/showback-ledger.js';
import { ShowbackRecorder } from '../showback/showback-recorder.js';
import { showbackRoute } from '../showback/showback-route.js';
import type { Logger } from '../telemetry/logger.js';
import type { OperatorStats, TesseraMetrics } from '../telemetry/metrics.js';
import type { ReadOnlyRoute } from './http/read-only-route.js';

/** What the operator views are built from, injected by tessera-server.ts. */
export interface OperatorViewsDeps {
  readonly cache: ClusterCache;
  readonly source: ClusterSource;
  /**
   * The target workload that defines "stranded" (see src/dashboard/stranded-gpus.ts): the one Tessera places
   * against now, which changes as it learns.
   */
  readonly workload: () => readonly TargetTask[];
  readonly parseAllocation: (text: string, inventory: NodeInventory) => ParseResult<Allocation>;
  readonly metrics: TesseraMetrics;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  readonly log: Logger;
  /** How often the fleet is sampled for the dashboard's history (default one minute; 0 = never, tests sample by hand). */
  readonly historyIntervalMs?: number;
  /** The page's files (default: loaded from src/dashboard/web and the installed libraries). */
  readonly assets?: DashboardAssets;
}

/** The read-only views for operators: showback, the dashboard and their metrics. */
export interface OperatorViews {
  /** Hand this to `source.start` instead of the cache: it updates the cache, then showback and pending pods. */
  readonly sink: ClusterSink;
  /** Hand this to the service instead of the source: it also records filter's reports on pods it cannot place. */
  readonly source: ClusterSource;
  /** `/dashboard`, `/api/v1/dashboard/*` and `/api/v1/showback`, for a read-only (ops) listener. */
  readonly routes: readonly ReadOnlyRoute[];
  readonly ledger: ShowbackLedger;
  readonly pending: PendingPods;
  readonly fleet: FleetSummary;
  readonly totals: FleetTotalsTracker;
  readonly history: FleetHistory;
  /** Adds a sample of the fleet to the history now. */
  sample(): void;
  /** Stops the history timer. */
  close(): void;
}

/**
 * Builds showback (a ledger fed from the cluster's pod events), the pending-pods board (fed by filter's reports),
 * the fleet summaries and history, their HTTP routes, and connects their gauges to `metrics`.
 */
export function createOperatorViews(deps: OperatorViewsDeps): OperatorViews {
  const { cache, now, log } = deps;
  const ledger = new ShowbackLedger();
  const recorder = new ShowbackRecorder({ ledger, inventory: (n) => cache.inventory(n), parseAllocation: deps.parseAllocation, now });
  const pending = new PendingPods();
  const fleet = new FleetSummary(deps.workload);
  const totals = new FleetTotalsTracker(fleet, cache);
  const history = new FleetHistory();
  const currency = DEFAULT_PRICE_TABLE.currency;
  // `sample` is hoisted: the first sample is taken once the cluster is listed.
  const sink = observeSink(cache, [recorder, pending, { markSynced: () => sample() }], log);

  const inner = deps.source;
  const source: ClusterSource = {
    kind: inner.kind,
    start: (s) => inner.start(s),
    bind: (binding) => inner.bind(binding),
    ...(inner.getPod === undefined ? {} : { getPod: (namespace: string, name: string) => (inner.getPod as NonNullable<ClusterSource['getPod']>).call(inner, namespace, name) }),
    ...(inner.nominate === undefined ? {} : { nominate: (pod: PodRef, node: string, rv: string) => (inner.nominate as NonNullable<ClusterSource['nominate']>).call(inner, pod, node, rv) }),
    reportUnschedulable: (pod: PodRef, message: string) => {
      pending.report(pod, message, now());
      inner.reportUnschedulable?.(pod, message);
    },
    stop: () => inner.stop(),
  };

  function sample(): void {
    const t = totals.totals();
    history.add({ t: now(), gpus: t.gpus, allocated: t.allocated, idle: t.idle, stranded: t.stranded });
  }
  const interval = deps.historyIntervalMs ?? 60_000;
  const timer = interval > 0 ? setInterval(sample, interval) : null;
  timer?.unref();

  deps.metrics.observeOperatorViews((): OperatorStats => {
    const snapshot = cache.snapshot();
    const nodeGpuHourlyCost: { node: string; cost: number }[] = [];
    for (const [node, state] of snapshot.nodes) if (state.pricePerGpu !== null) nodeGpuHourlyCost.push({ node, cost: state.pricePerGpu });
    return {
      pods: [...ledger.openHoldings()].map((h) => ({ namespace: h.namespace, pod: h.name, node: h.node, gpuEquivalents: h.gpuEquivalents })),
      nodeGpuHourlyCost,
      stranded: totals.totals().groups.map((g) => ({ product: g.product, capacityType: g.capacityType, stranded: g.stranded })),
    };
  });

  const assets = deps.assets ?? loadDashboardAssets();
  const routes: ReadOnlyRoute[] = [
    showbackRoute({ ledger, currency, now, log }),
    dashboardPageRoute(assets, log),
    ...dashboardApiRoutes({ cache, cluster: inner.kind, fleet, totals, ledger, pending, history, currency, now, log }),
  ];
  return {
    sink, source, routes, ledger, pending, fleet, totals, history, sample,
    close() {
      if (timer !== null) clearInterval(timer);
    },
  };
}
