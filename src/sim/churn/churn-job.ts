import type { PresetCatalog } from '../../model/topology-preset.js';
import type { Trace } from '../replay/load-trace.js';
import type { PolicyName } from '../replay/replay-trace.js';
import { makePolicy, POLICY_NAMES } from '../replay/replay-trace.js';
import { seededRng } from '../replay/seeded-rng.js';
import { churnCluster, shuffledNodes } from './churn-cluster.js';
import type { ChurnSeries, ChurnTotals } from './churn-metrics.js';
import type { PriorityMode, TimedPodList } from './churn-pods.js';
import { churnArrivals } from './churn-pods.js';
import { churnRun } from './churn-run.js';

/** Time series cover this many arrival windows, so the backlog's drain after the last arrival shows too. */
export const CHURN_HORIZON_WINDOWS = 4;

/** The suffix of the defragmentation variant of a policy, e.g. `Tessera+defrag`. */
export const DEFRAG_SUFFIX = '+defrag';

/** Churn mode's policy names: the replay's seven and their defragmentation variants. */
export function isChurnPolicy(name: string): boolean {
  const base = name.endsWith(DEFRAG_SUFFIX) ? name.slice(0, -DEFRAG_SUFFIX.length) : name;
  return (POLICY_NAMES as readonly string[]).includes(base);
}

/** What `--policies all` runs in churn mode: the six baselines, Tessera, and Tessera with defragmentation. */
export const CHURN_ALL_POLICIES: readonly string[] = [...POLICY_NAMES, `Tessera${DEFRAG_SUFFIX}`];

/** Everything that fixes one churn run besides the trace. */
export interface ChurnSetup {
  readonly policy: string;
  readonly seed: number;
  /** Arrival-rate factor: × the trace's arrival rate (inter-arrival times divided by it). */
  readonly rate: number;
  /** Keep every `stride`-th GPU node (by name). */
  readonly stride: number;
  readonly priority: PriorityMode;
  /** Time-series buckets over CHURN_HORIZON_WINDOWS arrival windows. */
  readonly buckets: number;
}

/** One churn run's result (structured-cloneable: it crosses the worker boundary). */
export interface ChurnResult {
  readonly trace: string;
  readonly policy: string;
  readonly seed: number;
  readonly rate: number;
  readonly nodes: number;
  readonly gpus: number;
  /** Σ GPU × run time of the arrivals / (GPU capacity × arrival window): the load as queueing theory counts it. */
  readonly offeredLoad: number;
  readonly arrived: number;
  readonly placed: number;
  readonly unplaceable: number;
  readonly neverPlaced: number;
  readonly skippedNeverScheduled: number;
  readonly attempts: number;
  readonly defragPlans: number;
  readonly defragMoves: number;
  readonly defragRequeued: number;
  readonly windowSeconds: number;
  readonly drainedSeconds: number;
  readonly totals: ChurnTotals;
  readonly series: ChurnSeries;
  readonly ms: number;
}

/** Runs one churn replay of `trace` (its pod list with times in `timed`). */
export function runChurnOne(trace: Trace, timed: TimedPodList, presets: PresetCatalog, setup: ChurnSetup): ChurnResult {
  const t0 = performance.now();
  const defrag = setup.policy.endsWith(DEFRAG_SUFFIX);
  const base = (defrag ? setup.policy.slice(0, -DEFRAG_SUFFIX.length) : setup.policy) as PolicyName;
  if (!(POLICY_NAMES as readonly string[]).includes(base)) throw new Error(`bug: unknown churn policy "${setup.policy}"`);
  const cluster = churnCluster(trace.nodes, setup.stride, presets);
  const clusterNames = new Set(cluster.map((n) => n.name));
  // Policies see the churn cluster's nodes (Tessera weighs GPU products by the fleet's GPUs per product).
  const policy = makePolicy(base, { ...trace, nodes: trace.nodes.filter((n) => clusterNames.has(n.name)) });
  const named = setup.policy === policy.name ? policy : { ...policy, name: setup.policy };
  const arrivals = churnArrivals(timed, setup.rate, seededRng(setup.seed), setup.priority);
  const nodes = shuffledNodes(cluster, seededRng(setup.seed ^ 0x6a09e667));
  const window = arrivals.pods.length === 0 ? 0 : arrivals.pods[arrivals.pods.length - 1]!.arrival;
  const log = churnRun(nodes, arrivals.pods, named, seededRng(setup.seed * 7919 + 1),
    { defrag, buckets: setup.buckets, horizon: CHURN_HORIZON_WINDOWS * window });
  const capacity = log.capacityMilli;
  let work = 0;
  for (const p of arrivals.pods) work += p.pod.gpuCount * p.pod.gpuMilli * p.runSeconds;
  return {
    trace: trace.name,
    policy: setup.policy,
    seed: setup.seed,
    rate: setup.rate,
    nodes: cluster.length,
    gpus: capacity / 1000,
    offeredLoad: log.window > 0 ? work / (capacity * log.window) : 0,
    arrived: log.arrived,
    placed: log.placed,
    unplaceable: log.unplaceable,
    neverPlaced: log.neverPlaced,
    skippedNeverScheduled: arrivals.skippedNeverScheduled,
    attempts: log.attempts,
    defragPlans: log.defragPlans,
    defragMoves: log.defragMoves,
    defragRequeued: log.defragRequeued,
    windowSeconds: log.window,
    drainedSeconds: log.drained,
    totals: log.totals,
    series: log.series,
    ms: performance.now() - t0,
  };
}
